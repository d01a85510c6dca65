import Glibc
import LoradSystem

/// A connected, blocking `UnixSocket` is the transport of a real connection.
extension UnixSocket: ClientTransport {
    func sendFrame(_ bytes: [UInt8], fds: [FileDescriptor]) throws(SystemError) {
        try sendAll(bytes, fds: fds)
    }

    /// Accepts at most `UnixSocket.maximumFDsPerMessage` descriptors per call, whatever
    /// the frame limit allows. Waits in `poll` first, not in `recvmsg`, which the kernel
    /// would also wake each time the daemon reads our request (see
    /// `UnixSocket.waitUntilReadable`), for at most what is left until `deadline`.
    func receiveChunk(
        into buffer: UnsafeMutableRawBufferPointer, maxFDs: Int, deadline: ContinuousClock.Instant?
    ) throws(SystemError) -> TransportChunk {
        let room = min(max(maxFDs, 0), UnixSocket.maximumFDsPerMessage)
        while true {
            var waitMilliseconds: Int32 = -1
            if let deadline {
                let left = deadline - .now
                guard left > .zero else { throw SystemError(errno: ETIMEDOUT, operation: "waiting for lorad's reply") }
                waitMilliseconds = Int32(clamping: left.whole(.milliseconds) + 1)  // rounded up: never wake early
            }
            guard try waitUntilReadable(timeoutMilliseconds: waitMilliseconds) else { continue }
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
