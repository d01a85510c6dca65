extension EncodedFrame {
    /// Encodes `payload` as one frame with `opcode` and `requestID`: header, payload, and the
    /// descriptors the payload names (in index order). Throws `invalid_argument` when a field
    /// is over its bound and `frame_too_large` when the frame is over `limits`.
    public init(opcode: Opcode, requestID: UInt32, payload: any WireCodable, limits: FrameLimits) throws(WireError) {
        var writer = PayloadWriter.forFrame(naming: .opcode(opcode))
        try payload.encode(to: &writer)
        self = try writer.finishFrame(opcode: opcode, requestID: requestID, limits: limits)
    }
}
