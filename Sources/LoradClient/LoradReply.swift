import LoradSystem
import LoradWire

/// A reply as it arrived: the decoded message and the descriptors its frame carried.
///
/// The descriptors are owned by whoever holds the reply: close them (for example with
/// `closeDescriptors()`) when done. Only session replies carry any in protocol 1.0; their
/// numbers also appear in the message's `SegmentDescriptor.fd` fields.
public struct LoradReply: Sendable {
    /// The request id the reply answers.
    public var requestID: UInt32
    /// The decoded reply (never `.error`, `.fatal` or an event: those become errors).
    public var message: ServerMessage
    /// The descriptors that came with the frame, in payload index order, owned by the holder.
    public var descriptors: [FileDescriptor]

    /// Wraps a decoded reply and its descriptors.
    public init(requestID: UInt32, message: ServerMessage, descriptors: [FileDescriptor]) {
        self.requestID = requestID
        self.message = message
        self.descriptors = descriptors
    }

    /// Closes every descriptor of the reply (errors ignored: each is closed once).
    public func closeDescriptors() {
        for descriptor in descriptors { try? descriptor.close() }
    }
}
