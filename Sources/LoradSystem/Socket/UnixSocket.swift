import CLinux
import Glibc

/// An AF_UNIX stream socket: a thin, copyable wrapper over its descriptor.
///
/// Like ``FileDescriptor`` the wrapper does not own the descriptor: nothing
/// closes it automatically, so call ``close()`` exactly once. Every socket made
/// here is close-on-exec. Every method retries `EINTR` and throws a
/// ``SystemError`` carrying `errno`; `EAGAIN` on a non-blocking socket is not an
/// error but ``SocketOutcome/wouldBlock``.
///
/// - ``listen(path:mode:backlog:)``, ``adoptListening(fd:)``, ``accept()``:
///   the daemon's side (`UnixSocket+Listen.swift`).
/// - ``connect(path:)``: a client's side.
/// - ``send(_:fds:)``, ``receive(into:maxFDs:)``: bytes with descriptors
///   (`UnixSocket+Messages.swift`).
public struct UnixSocket: Sendable, Hashable, CustomStringConvertible {
    /// The socket's descriptor, for ``Epoll`` registration or plain reads.
    public let fileDescriptor: FileDescriptor

    /// Wraps an existing AF_UNIX stream socket descriptor (for example one kept
    /// in systemd's descriptor store). Ownership passes to the caller of ``close()``.
    public init(fileDescriptor: FileDescriptor) { self.fileDescriptor = fileDescriptor }

    /// `unix socket fd 7`.
    public var description: String { "unix socket \(fileDescriptor)" }

    /// The longest socket path, in UTF-8 bytes, that fits `sockaddr_un.sun_path`
    /// (107 on Linux, the terminating NUL takes the 108th byte).
    public static let maximumPathLength = Int(clinux_unix_path_max)

    /// The most descriptors one ``send(_:fds:)`` or ``receive(into:maxFDs:)``
    /// call carries (64; the kernel's own limit is 253).
    public static let maximumFDsPerMessage = Int(clinux_max_fds_per_message)

    /// Connects to the listening socket at `path` and returns a blocking,
    /// connected socket. A full listen backlog makes this wait.
    ///
    /// The corresponding C function is `connect`.
    /// - Throws: ``SystemError`` with the path: `ENOENT` (no socket there),
    ///   `ECONNREFUSED` (a stale socket file: the daemon is not running),
    ///   `EACCES` (the socket's mode or folder refuses this user),
    ///   `ENAMETOOLONG` (longer than ``maximumPathLength``).
    public static func connect(path: String) throws(SystemError) -> UnixSocket {
        try checkPath(path, operation: "connect")
        let socket = try makeSocket(nonBlocking: false)
        do throws(SystemError) {
            try socket.connect(to: path)
        } catch {
            try? socket.close()
            throw error
        }
        return socket
    }

    /// Two connected sockets, both ends of one stream (for tests and for
    /// handing one end to a child process).
    ///
    /// The corresponding C function is `socketpair`.
    public static func socketPair(nonBlocking: Bool = false) throws(SystemError) -> (UnixSocket, UnixSocket) {
        var fds: [Int32] = [-1, -1]
        _ = try fds.withUnsafeMutableBufferPointer { (pair) throws(SystemError) -> Int32 in
            try retryingInterrupts("socketpair") { clinux_unix_stream_socketpair(pair.baseAddress, nonBlocking ? 1 : 0) }
        }
        return (UnixSocket(fileDescriptor: FileDescriptor(rawValue: fds[0])),
                UnixSocket(fileDescriptor: FileDescriptor(rawValue: fds[1])))
    }

    /// Closes the socket. Not retried on `EINTR` (see ``FileDescriptor/close()``).
    ///
    /// The corresponding C function is `close`.
    public func close() throws(SystemError) { try fileDescriptor.close() }

    /// Makes `send`, `receive` and `accept` return ``SocketOutcome/wouldBlock``
    /// instead of waiting (or waits again, with `false`).
    ///
    /// The corresponding C function is `fcntl` with `F_SETFL` and `O_NONBLOCK`.
    public func setNonBlocking(_ nonBlocking: Bool = true) throws(SystemError) {
        try fileDescriptor.setNonBlocking(nonBlocking)
    }

    /// Which direction ``shutdown(_:)`` ends.
    public enum ShutdownDirection: Sendable, Hashable {
        /// No more receiving (`SHUT_RD`).
        case read
        /// No more sending (`SHUT_WR`): the peer reads end of stream after the
        /// bytes already sent.
        case write
        /// Both (`SHUT_RDWR`).
        case readWrite

        var how: Int32 {
            switch self {
            case .read: 0
            case .write: 1
            case .readWrite: 2
            }
        }
    }

    /// Ends one or both directions of the connection without closing the
    /// descriptor (which ``close()`` still must do).
    ///
    /// The corresponding C function is `shutdown`.
    /// - Throws: ``SystemError`` (`ENOTCONN` on a socket that is not connected).
    public func shutdown(_ direction: ShutdownDirection = .readWrite) throws(SystemError) {
        let raw = fileDescriptor.rawValue
        _ = try retryingInterrupts("shutdown") { clinux_shutdown(raw, direction.how) }
    }

    /// The credentials the kernel recorded for the peer when it connected: its
    /// ids and its supplementary groups (``PeerCredentials/supplementaryGroups``
    /// is `nil` on a kernel without `SO_PEERGROUPS`, before Linux 4.13).
    /// Nothing is looked up in the user database.
    ///
    /// The corresponding C function is `getsockopt` with `SO_PEERCRED` and
    /// `SO_PEERGROUPS`.
    /// - Throws: ``SystemError`` (`ENOTSOCK`, `ENOTCONN`...).
    public func peerCredentials() throws(SystemError) -> PeerCredentials {
        var pid: pid_t = 0
        var uid: uid_t = 0
        var gid: gid_t = 0
        let raw = fileDescriptor.rawValue
        _ = try retryingInterrupts("getsockopt(SO_PEERCRED)") { clinux_peer_credentials(raw, &pid, &uid, &gid) }
        return PeerCredentials(pid: pid, uid: uid, gid: gid, supplementaryGroups: try peerGroups())
    }

    /// The peer's supplementary groups (`SO_PEERGROUPS`), `nil` when the kernel
    /// does not know the option (`ENOPROTOOPT`). The buffer starts with room for
    /// 32 groups and grows to the size the kernel asks for on `ERANGE`, up to
    /// ``PeerCredentials/maximumGroupCount``.
    private func peerGroups() throws(SystemError) -> [UInt32]? {
        let raw = fileDescriptor.rawValue
        var capacity = 32
        while true {
            var groups = [gid_t](repeating: 0, count: capacity)
            var count: Int32 = 0
            let result = groups.withUnsafeMutableBufferPointer { buffer in
                clinux_peer_groups(raw, buffer.baseAddress, Int32(buffer.count), &count)
            }
            if result == 0 { return Array(groups.prefix(min(Int(count), capacity))) }
            let code = Glibc.errno
            switch code {
            case EINTR:
                continue
            case ENOPROTOOPT:
                return nil
            case ERANGE where Int(count) > capacity && Int(count) <= PeerCredentials.maximumGroupCount:
                capacity = Int(count)
            default:
                throw SystemError(errno: code, operation: "getsockopt(SO_PEERGROUPS)")
            }
        }
    }

    // MARK: - Internals shared with the extensions

    /// A new unbound, unconnected AF_UNIX stream socket (close-on-exec).
    ///
    /// The corresponding C function is `socket`.
    static func makeSocket(nonBlocking: Bool) throws(SystemError) -> UnixSocket {
        let fd = try retryingInterrupts("socket(AF_UNIX)") { clinux_unix_stream_socket(nonBlocking ? 1 : 0) }
        return UnixSocket(fileDescriptor: FileDescriptor(rawValue: fd))
    }

    /// Rejects a path `sockaddr_un` cannot hold: empty, with a NUL byte (the C
    /// call would silently use a shorter path), or longer than ``maximumPathLength``.
    static func checkPath(_ path: String, operation: String) throws(SystemError) {
        let length = path.utf8.count
        if length == 0 {
            throw SystemError(errno: EINVAL, operation: "\(operation) (empty socket path: give a file path such as /run/lorad/lorad.sock)")
        }
        if path.utf8.contains(0) {
            throw SystemError(errno: EINVAL, operation: "\(operation) (socket path contains a NUL byte)", path: path)
        }
        if length > maximumPathLength {
            throw SystemError(
                errno: ENAMETOOLONG,
                operation: "\(operation) (socket path is \(length) bytes, at most \(maximumPathLength) fit in sun_path: use a shorter path such as /run/lorad/lorad.sock)",
                path: path)
        }
    }

    /// Connects this socket to `path`. AF_UNIX connects are not asynchronous:
    /// after `EINTR` the socket is still unconnected, so the call is repeated;
    /// `EISCONN` on a repeat means the first attempt had succeeded after all.
    ///
    /// The corresponding C function is `connect`.
    func connect(to path: String) throws(SystemError) {
        let raw = fileDescriptor.rawValue
        var interrupted = false
        while clinux_unix_connect(raw, path) == -1 {
            let code = Glibc.errno
            if code == EINTR {
                interrupted = true
                continue
            }
            if code == EISCONN, interrupted { return }
            throw SystemError(errno: code, operation: "connect", path: path)
        }
    }
}
