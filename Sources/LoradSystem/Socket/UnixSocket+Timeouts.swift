import Glibc

extension UnixSocket {
    /// Connects to the listening socket at `path` like ``connect(path:)``, but waits at
    /// most `timeout` for room in a full listen backlog (a daemon that stopped accepting):
    /// then it throws `ETIMEDOUT` instead of waiting for ever. The socket returned is
    /// blocking, with no send timeout left on it.
    ///
    /// The corresponding C functions are `setsockopt(SO_SNDTIMEO)`, which bounds an AF_UNIX
    /// `connect`, and `connect`.
    /// - Throws: ``SystemError`` with the path: `ETIMEDOUT` when the backlog stayed full for
    ///   `timeout`, and the errors of ``connect(path:)``.
    public static func connect(path: String, timeout: Duration) throws(SystemError) -> UnixSocket {
        try checkPath(path, operation: "connect")
        let socket = try makeSocket(nonBlocking: false)
        do throws(SystemError) {
            try socket.setSendTimeout(timeout)
            do throws(SystemError) {
                try socket.connect(to: path)
            } catch where error.errno == EAGAIN {
                throw SystemError(
                    errno: ETIMEDOUT, operation: "connect (the daemon accepted no connection within \(timeout))", path: path)
            }
            try socket.setSendTimeout(nil)
        } catch {
            try? socket.close()
            throw error
        }
        return socket
    }

    /// Bounds how long a blocking send (and an AF_UNIX `connect`) may wait, or removes the
    /// bound (`nil`). A wait that reaches it fails with `EAGAIN`. A positive timeout below
    /// one microsecond counts as one microsecond (zero would mean no bound).
    ///
    /// The corresponding C function is `setsockopt(SO_SNDTIMEO)`.
    /// - Throws: ``SystemError`` (`EBADF`, `ENOTSOCK`; `EDOM` for a timeout too long for
    ///   the kernel's timer).
    public func setSendTimeout(_ timeout: Duration?) throws(SystemError) {
        var value = timeval(tv_sec: 0, tv_usec: 0)
        if let timeout {
            let microseconds = max(timeout.whole(.microseconds), 1)
            value.tv_sec = Int(clamping: microseconds / 1_000_000)
            value.tv_usec = Int(microseconds % 1_000_000)
        }
        let raw = fileDescriptor.rawValue
        _ = try retryingInterrupts("setsockopt(SO_SNDTIMEO)") {
            setsockopt(raw, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        }
    }
}
