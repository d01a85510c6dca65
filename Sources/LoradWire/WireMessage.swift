/// What `ClientMessage` and `ServerMessage` have in common, so that connection code can be
/// written once for both directions (e.g. `Connection<Inbound: WireMessage, Outbound: WireMessage>`).
public protocol WireMessage: Hashable, Sendable {
    /// The opcode the message is sent with.
    var opcode: Opcode { get }
    /// Decodes a received frame; see the conforming types for the errors and their meaning.
    /// The caller closes `frame.fds` whenever this throws.
    init(decoding frame: Frame) throws(WireError)
    /// Encodes the message as one frame with `requestID`, checked against `limits`.
    func encode(requestID: UInt32, limits: FrameLimits) throws(WireError) -> EncodedFrame
}

extension ClientMessage: WireMessage {}
extension ServerMessage: WireMessage {}
