import LoradWire

/// A frame waiting in a connection's ``OutboundQueue``, with the owners of the descriptors it
/// passes.
public struct OutboundFrame: Sendable {
    /// The bytes, and the numbers of the descriptors to attach to the first of them (in the
    /// order the payload indexes them). Borrowed: `descriptors` keeps them open.
    public var frame: EncodedFrame
    /// The owners of `frame.fds` (a reply's ``HandlerReply/descriptors``), let go once the
    /// frame is sent or dropped; the server never closes the descriptors itself.
    public var descriptors: [any PassedDescriptor]

    /// Wraps `frame` with the owners of its descriptors.
    public init(_ frame: EncodedFrame, descriptors: [any PassedDescriptor] = []) {
        self.frame = frame
        self.descriptors = descriptors
    }
}
