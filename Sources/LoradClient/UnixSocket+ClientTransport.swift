import LoradSystem

/// A connected, blocking `UnixSocket` is the transport of a real connection.
extension UnixSocket: ClientTransport {
    func sendFrame(_ bytes: [UInt8], fds: [FileDescriptor]) throws(SystemError) {
        try sendAll(bytes, fds: fds)
    }

    /// Accepts at most `UnixSocket.maximumFDsPerMessage` descriptors per call, whatever
    /// the frame limit allows. Waits in `poll` first, not in `recvmsg`, which the kernel
    /// would also wake each time the daemon reads our request (see
    /// `UnixSocket.waitUntilReadable`).
    func receiveChunk(into buffer: UnsafeMutableRawBufferPointer, maxFDs: Int) throws(SystemError) -> TransportChunk {
        let room = min(max(maxFDs, 0), UnixSocket.maximumFDsPerMessage)
        while true {
            guard try waitUntilReadable() else { continue }
            guard case .completed(let message) = try receive(into: buffer, maxFDs: room) else {
                // A blocking socket never reports EAGAIN; wait on if it ever does.
                continue
            }
            return TransportChunk(byteCount: message.byteCount, fds: message.fds, controlTruncated: message.controlTruncated)
        }
    }

    func closeTransport() {
        try? fileDescriptor.close()
    }
}
