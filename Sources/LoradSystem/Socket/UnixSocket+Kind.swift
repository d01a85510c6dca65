import CLinux
import Glibc

extension UnixSocket {
    /// True when `fd` is a listening AF_UNIX stream socket (what `ListenStream=/path`
    /// passes); false for anything else, including descriptors that are not sockets or
    /// not open. Nothing is changed.
    ///
    /// The corresponding C function is `getsockopt` (`SO_DOMAIN`, `SO_TYPE`, `SO_ACCEPTCONN`).
    public static func isListeningStreamSocket(_ fd: FileDescriptor) -> Bool {
        (try? kind(of: fd, operation: "getsockopt"))?.isListeningUnixStream ?? false
    }

    /// `fd`'s socket domain, type and whether it listens; `operation` names the call in errors.
    ///
    /// The corresponding C function is `getsockopt` (`SO_DOMAIN`, `SO_TYPE`, `SO_ACCEPTCONN`).
    /// - Throws: ``SystemError``: `ENOTSOCK` when `fd` is not a socket, `EBADF` when it is not open.
    static func kind(
        of fd: FileDescriptor, operation: String
    ) throws(SystemError) -> (domain: Int32, type: Int32, listening: Bool, isListeningUnixStream: Bool) {
        var domain: Int32 = 0
        var type: Int32 = 0
        var listening: Int32 = 0
        _ = try retryingInterrupts(operation) { clinux_socket_kind(fd.rawValue, &domain, &type, &listening) }
        return (domain, type, listening != 0, domain == clinux_af_unix && type == clinux_sock_stream && listening != 0)
    }
}
