import LoradWire

/// A frame waiting in a connection's ``OutboundQueue``, with what must live until it is sent.
public struct OutboundFrame: Sendable {
    /// The bytes and the descriptors to attach to the first of them. The descriptors are not
    /// owned by this value: `keepAlive` or `ownedFDs` keeps them open.
    public var frame: EncodedFrame
    /// Objects that own `frame.fds` (segments); released once the frame is sent or dropped.
    public var keepAlive: [any Sendable]
    /// Descriptors made just for this frame; the server closes them once it is sent or dropped.
    public var ownedFDs: [Int32]

    /// Wraps `frame` with its owners.
    public init(_ frame: EncodedFrame, keepAlive: [any Sendable] = [], ownedFDs: [Int32] = []) {
        self.frame = frame
        self.keepAlive = keepAlive
        self.ownedFDs = ownedFDs
    }
}
