/// A received descriptor as a ``FrameDecoder`` queues it and a ``ReceivedFrame`` carries it:
/// a plain number (`Int32`, for receivers that track ownership themselves), or an object of
/// the receiver's that owns the descriptor and closes it when it goes (the server's). The
/// codec itself never opens, duplicates or closes a descriptor.
public protocol FrameDescriptor: Sendable {
    /// The descriptor's number, which the `fd` fields of decoded messages hold. Valid for as
    /// long as the descriptor is open.
    var descriptorNumber: Int32 { get }
}

extension Int32: FrameDescriptor {
    /// The number itself.
    @inlinable public var descriptorNumber: Int32 { self }
}
