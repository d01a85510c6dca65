/// One complete received frame: its header, its payload bytes and the descriptors that
/// arrived with it, as the receiver's ``FrameDecoder`` holds them.
///
/// The codec never opens, duplicates or closes descriptors. With plain numbers (``Frame``)
/// whoever holds the frame owns them and must close them when the frame is rejected or
/// consumed; with an owning `Descriptor` type they close when their owner goes.
public struct ReceivedFrame<Descriptor: FrameDescriptor>: Sendable {
    /// The validated header.
    public var header: FrameHeader
    /// Exactly `header.payloadLength` bytes.
    public var payload: [UInt8]
    /// Exactly `header.fdCount` descriptors, in the order they arrived (index 0 first).
    public var fds: [Descriptor]

    /// Creates a frame. `payload.count` and `fds.count` should match the header; the message
    /// decoders read only `payload` and `fds`.
    @inlinable public init(header: FrameHeader, payload: [UInt8], fds: [Descriptor] = []) {
        self.header = header
        self.payload = payload
        self.fds = fds
    }

    /// The frame as the message decoders read it: descriptors by number (borrowed: this frame's
    /// descriptors stay with their owner, who keeps them open while the numbers are used).
    @inlinable public var numbered: Frame {
        Frame(header: header, payload: payload, fds: fds.map(\.descriptorNumber))
    }
}

extension ReceivedFrame: Equatable where Descriptor: Equatable {}
extension ReceivedFrame: Hashable where Descriptor: Hashable {}

/// A frame whose descriptors are plain numbers: what `ClientMessage(decoding:)` and
/// `ServerMessage(decoding:)` read, each `fd` field becoming the number at its index.
public typealias Frame = ReceivedFrame<Int32>
