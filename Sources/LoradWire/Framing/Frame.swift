/// One complete received frame: its header, its payload bytes and the descriptors that
/// arrived with it.
///
/// The codec never opens, duplicates or closes descriptors: `fds` are plain numbers owned by
/// whoever holds the frame, who must close them when the frame is rejected or consumed.
public struct Frame: Hashable, Sendable {
    /// The validated header.
    public var header: FrameHeader
    /// Exactly `header.payloadLength` bytes.
    public var payload: [UInt8]
    /// Exactly `header.fdCount` descriptors, in the order they arrived (index 0 first).
    public var fds: [Int32]

    /// Creates a frame. `payload.count` and `fds.count` should match the header; the message
    /// decoders read only `payload` and `fds`.
    public init(header: FrameHeader, payload: [UInt8], fds: [Int32] = []) {
        self.header = header
        self.payload = payload
        self.fds = fds
    }
}
