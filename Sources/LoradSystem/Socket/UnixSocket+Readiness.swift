import Glibc

extension UnixSocket {
    /// Waits until the socket has something to read — bytes, end of stream or a pending
    /// error — or `timeoutMilliseconds` pass (negative: no limit). Returns whether it is
    /// readable.
    ///
    /// A blocking client should wait here rather than inside `recvmsg`: on an AF_UNIX
    /// stream socket a thread asleep in `recvmsg` is also woken whenever the peer reads
    /// bytes this socket sent (the kernel's write-space wakeup shares the socket's wait
    /// queue and is not filtered by event), so every request/reply round trip costs a
    /// spurious wakeup and context switch on both sides. `poll` for `POLLIN` is woken only
    /// by what it waits for. An interrupted wait (`EINTR`) starts over with the full
    /// timeout.
    ///
    /// The corresponding C function is `poll`.
    /// - Throws: ``SystemError`` (`ENOMEM`; `EFAULT`/`EINVAL` cannot happen here).
    public func waitUntilReadable(timeoutMilliseconds: Int32 = -1) throws(SystemError) -> Bool {
        var entry = pollfd(fd: fileDescriptor.rawValue, events: Int16(POLLIN), revents: 0)
        let ready = try retryingInterrupts("poll") { poll(&entry, 1, timeoutMilliseconds) }
        return ready > 0
    }
}
