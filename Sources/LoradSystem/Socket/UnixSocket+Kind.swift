import CLinux
import Glibc

extension UnixSocket {
    /// True when `fd` is a listening AF_UNIX stream socket (what `ListenStream=/path`
    /// passes); false for anything else, including descriptors that are not sockets or
    /// not open. Nothing is changed.
    ///
    /// The corresponding C function is `getsockopt` (`SO_DOMAIN`, `SO_TYPE`, `SO_ACCEPTCONN`).
    public static func isListeningStreamSocket(_ fd: FileDescriptor) -> Bool {
        var domain: Int32 = 0
        var type: Int32 = 0
        var listening: Int32 = 0
        let result = try? retryingInterrupts("getsockopt") { clinux_socket_kind(fd.rawValue, &domain, &type, &listening) }
        return result != nil && domain == clinux_af_unix && type == clinux_sock_stream && listening != 0
    }
}
