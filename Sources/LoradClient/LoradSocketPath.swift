/// Where lorad's socket is when the caller does not say.
///
/// The order: `$LORAD_SOCKET` when set and not empty; otherwise the socket the daemon
/// listens on by default for this user: `/run/lorad/lorad.sock` for root, else
/// `$XDG_RUNTIME_DIR/lorad.sock`. A non-root user whose own socket does not exist but the
/// system daemon's does (the usual `systemctl start lorad.socket` setup, with the user in
/// the allowed group) gets the system socket.
public enum LoradSocketPath {
    /// The environment variable that names the socket: `LORAD_SOCKET`.
    public static let environmentVariable = "LORAD_SOCKET"
    /// The system daemon's socket: `/run/lorad/lorad.sock`.
    public static let systemPath = "/run/lorad/lorad.sock"
    /// The socket's file name inside a runtime folder: `lorad.sock`.
    public static let fileName = "lorad.sock"

    /// The paths to try, best first, for a process with effective user id `uid` and
    /// environment `environment`. Never empty: with no `XDG_RUNTIME_DIR` a non-root user
    /// still gets the system socket.
    public static func candidates(environment: [String: String], uid: UInt32) -> [String] {
        if let explicit = environment[environmentVariable], !explicit.isEmpty { return [explicit] }
        if uid == 0 { return [systemPath] }
        var paths: [String] = []
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            let folder = runtime.hasSuffix("/") ? String(runtime.dropLast()) : runtime
            paths.append(folder + "/" + fileName)
        }
        paths.append(systemPath)
        return paths
    }

    /// The path to connect to: the first of `candidates(environment:uid:)` for which
    /// `exists` is true, else the first candidate (whose absence `connect` then reports).
    public static func resolve(
        environment: [String: String], uid: UInt32, exists: (String) -> Bool
    ) -> String {
        let paths = candidates(environment: environment, uid: uid)
        return paths.first(where: exists) ?? paths[0]
    }
}
