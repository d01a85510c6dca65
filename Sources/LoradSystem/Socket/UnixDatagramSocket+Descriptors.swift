import Glibc

extension UnixDatagramSocket {
    /// Connects the socket to `address` (a path or `@name`), so that later sends need no
    /// address and may carry descriptors.
    ///
    /// The corresponding C function is `connect`.
    /// - Throws: ``SystemError`` with the address: `ENOENT`/`ECONNREFUSED` (nobody listens
    ///   there), `EINVAL`/`ENAMETOOLONG` (an address `sockaddr_un` cannot hold).
    public func connect(to address: String) throws(SystemError) {
        let fd = fileDescriptor.rawValue
        try UnixDatagramSocket.withAddress(address, operation: "connect") { pointer, length throws(SystemError) in
            _ = try retryingInterrupts("connect", path: address) { Glibc.connect(fd, pointer, length) }
        }
    }

    /// Sends `bytes` as one datagram with `fds` attached (`SCM_RIGHTS`) to `address`, as
    /// `sd_pid_notify_with_fds(3)` does. The descriptors stay open and owned by the caller;
    /// the receiver gets its own copies.
    ///
    /// The corresponding C functions are `connect` and `sendmsg` (with `MSG_NOSIGNAL`).
    /// - Throws: ``SystemError``: as ``connect(to:)``, `EINVAL` (more than
    ///   ``UnixSocket/maximumFDsPerMessage`` descriptors, or descriptors without bytes),
    ///   `EBADF` (a descriptor is not open), `EAGAIN` (the receiver's queue is full).
    public func send(_ bytes: [UInt8], fds: [FileDescriptor], to address: String) throws(SystemError) {
        try connect(to: address)
        switch try UnixSocket(fileDescriptor: fileDescriptor).send(bytes, fds: fds) {
        case .completed: return
        case .wouldBlock: throw SystemError(errno: EAGAIN, operation: "sendmsg (the receiver's queue is full)", path: address)
        }
    }

    /// Waits up to `timeoutMilliseconds` (negative: forever) for one datagram and returns
    /// its first `maxBytes` bytes with the descriptors that came with it (at most `maxFDs`;
    /// close-on-exec, owned by the caller), or `nil` when none arrived in time.
    ///
    /// The corresponding C functions are `poll` and `recvmsg` (with `MSG_CMSG_CLOEXEC`).
    /// - Throws: ``SystemError`` when `poll` or `recvmsg` fails; `EINVAL` for `maxFDs`
    ///   outside 0...``UnixSocket/maximumFDsPerMessage``.
    public func receiveWithDescriptors(
        maxBytes: Int = 4096, maxFDs: Int = UnixSocket.maximumFDsPerMessage, timeoutMilliseconds: Int32
    ) throws(SystemError) -> (bytes: [UInt8], fds: [FileDescriptor])? {
        let socket = UnixSocket(fileDescriptor: fileDescriptor)
        guard try socket.waitUntilReadable(timeoutMilliseconds: timeoutMilliseconds) else { return nil }
        var buffer = [UInt8](repeating: 0, count: max(1, maxBytes))
        let outcome = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(SystemError) in try socket.receive(into: raw, maxFDs: maxFDs) }
        }
        switch try outcome.get() {
        case .completed(let message): return (Array(buffer.prefix(message.byteCount)), message.fds)
        case .wouldBlock: return nil
        }
    }
}
