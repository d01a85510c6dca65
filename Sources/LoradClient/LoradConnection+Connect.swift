import Glibc
import LoradSystem
import LoradWire

extension LoradConnection {
    /// Connects to lorad's socket at `path` (or, when nil, `defaultSocketPath()`) and does
    /// HELLO, naming this client `name` (e.g. `loractl/0.1`, at most 128 bytes).
    ///
    /// - Throws: `LoradClientError.daemonUnavailable` when no daemon listens there
    ///   (`ENOENT`, `ECONNREFUSED`), `.permissionDenied` when the socket refuses this user,
    ///   `.fatal` when the server refuses the protocol version, `.system` for other errors.
    public static func connect(path: String? = nil, name: String) throws(LoradClientError) -> LoradConnection {
        let target = path ?? defaultSocketPath()
        let socket: UnixSocket
        do {
            socket = try UnixSocket.connect(path: target)
        } catch {
            switch error.errno {
            case ENOENT, ECONNREFUSED, ENOTDIR: throw .daemonUnavailable(path: target, error)
            case EACCES, EPERM: throw .permissionDenied(path: target, error)
            default: throw .system(error)
            }
        }
        return try LoradConnection(transport: socket, path: target, name: name)
    }

    /// The socket path to use when none is given: `$LORAD_SOCKET`, else the daemon's
    /// default for this user (see `LoradSocketPath`).
    public static func defaultSocketPath() -> String {
        LoradSocketPath.resolve(
            environment: currentEnvironment(), uid: PeerCredentials.ofThisProcess.uid,
            exists: FileStatus.exists)
    }

    /// The variables `LoradSocketPath` reads, from this process's environment.
    private static func currentEnvironment() -> [String: String] {
        var environment: [String: String] = [:]
        for key in [LoradSocketPath.environmentVariable, "XDG_RUNTIME_DIR"] {
            if let value = getenv(key) { environment[key] = String(cString: value) }
        }
        return environment
    }
}
