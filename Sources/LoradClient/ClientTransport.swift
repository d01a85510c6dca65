import LoradSystem

/// The byte stream under a `LoradConnection`: a connected, blocking AF_UNIX stream socket
/// in production (`UnixSocket`), an in-memory fake in tests.
///
/// Descriptors follow PROTOCOL.md: `sendFrame` attaches them to the first byte of the
/// frame, and `receiveChunk` returns the ones that arrived with the bytes it read.
protocol ClientTransport: Sendable {
    /// Sends one whole frame, looping on short writes, with `fds` attached to its first
    /// byte (once). The descriptors stay owned by the caller.
    func sendFrame(_ bytes: [UInt8], fds: [FileDescriptor]) throws(SystemError)

    /// Blocks until bytes arrive and returns them (at most `buffer.count`, written to the
    /// start of `buffer`) with the descriptors that came with them (room for `maxFDs`),
    /// which the caller now owns. A byte count of 0 means end of stream. With a `deadline`,
    /// throws `ETIMEDOUT` when nothing has arrived by then.
    func receiveChunk(
        into buffer: UnsafeMutableRawBufferPointer, maxFDs: Int, deadline: ContinuousClock.Instant?
    ) throws(SystemError) -> TransportChunk

    /// Closes the stream. Called once; errors are ignored (nothing is left to flush).
    func closeTransport()
}

/// What one `ClientTransport.receiveChunk(into:maxFDs:)` delivered.
struct TransportChunk: Sendable {
    /// Bytes written to the start of the buffer; 0 means end of stream.
    var byteCount: Int
    /// Descriptors that arrived with the bytes, owned by the caller.
    var fds: [FileDescriptor]
    /// True when descriptors were lost (`MSG_CTRUNC`): the stream is unusable.
    var controlTruncated: Bool
}
