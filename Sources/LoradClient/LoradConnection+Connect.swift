import Glibc
import LoradSystem
import LoradWire

extension LoradConnection {
    /// How long ``connect(path:name:timeout:)`` waits by default for the daemon to accept
    /// the connection and answer HELLO: 10 seconds.
    public static let defaultConnectTimeout = Duration.seconds(10)

    /// Connects to lorad's socket at `path` (or, when nil, `defaultSocketPath()`) and does
    /// HELLO, naming this client `name` (e.g. `loractl/0.1`, at most 128 bytes).
    ///
    /// `timeout` bounds the connect (a daemon whose listen backlog is full, because it is at
    /// its connection limit or stuck, makes `connect` wait) and, separately, the wait for
    /// the HELLO reply; `nil` waits for ever. Requests sent afterwards have no timeout: a
    /// cold SWITCH can take seconds, IMPORT and MERGE much longer.
    ///
    /// - Throws: `LoradClientError.daemonUnavailable` when no daemon listens there
    ///   (`ENOENT`, `ECONNREFUSED`), `.permissionDenied` when the socket refuses this user,
    ///   `.timedOut` when the daemon did not accept or answer within `timeout`, `.fatal` when
    ///   the server refuses the peer (`permission_denied`, `too_many_connections`) or the
    ///   protocol version, `.system` for other errors.
    public static func connect(
        path: String? = nil, name: String, timeout: Duration? = defaultConnectTimeout
    ) throws(LoradClientError) -> LoradConnection {
        let target = path ?? defaultSocketPath()
        let socket: UnixSocket
        do {
            if let timeout {
                socket = try UnixSocket.connect(path: target, timeout: timeout)
            } else {
                socket = try UnixSocket.connect(path: target)
            }
        } catch {
            switch error.errno {
            case ENOENT, ECONNREFUSED, ENOTDIR: throw .daemonUnavailable(path: target, error)
            case EACCES, EPERM: throw .permissionDenied(path: target, error)
            case ETIMEDOUT:
                guard let timeout else { throw .system(error) }
                throw .timedOut(path: target, timeout: timeout, stage: .connect)
            default: throw .system(error)
            }
        }
        return try LoradConnection(transport: socket, path: target, name: name, timeout: timeout)
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
