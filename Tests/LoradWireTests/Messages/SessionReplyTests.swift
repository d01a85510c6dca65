import Testing

@testable import LoradWire

@Suite struct SessionReplyTests {
    private let base = SegmentDescriptor(kind: .base, segmentID: 1, byteSize: 10, fd: 5)

    @Test func factorSegmentsMustNameAnActiveAdapter() throws {
        let outside = SessionReply(
            sessionID: 1, base: "b", mode: .factors, generation: 1, active: [],
            segments: [base, SegmentDescriptor(kind: .factors, segmentID: 2, byteSize: 10, fd: 6, adapterIndex: 0)])
        let error = caught { () throws(WireError) in try ServerMessage.switchAdapters(outside).encode(requestID: 1) }
        #expect(error?.code == .invalidArgument)

        // Encode a valid reply, then point its factor segment past the active set.
        let valid = SessionReply(
            sessionID: 1, base: "b", mode: .factors, generation: 1,
            active: [ActiveAdapter(name: "a", version: 1, weight: 1)],
            segments: [base, SegmentDescriptor(kind: .factors, segmentID: 2, byteSize: 10, fd: 6, adapterIndex: 0)])
        let frame = try ServerMessage.switchAdapters(valid).encode(requestID: 1)
        var bytes = frame.bytes
        bytes.setLittleEndian(UInt16(1), at: bytes.count - 2)
        let decodeError = caught { () throws(WireError) in try decodeOne(bytes, fds: frame.fds, client: false) }
        #expect(decodeError?.code == .malformedFrame)
        #expect(decodeError?.message.contains("active set") == true)
    }

    @Test func adapterIndexIsPresentExactlyForFactors() throws {
        let bad = [
            SegmentDescriptor(kind: .factors, segmentID: 2, byteSize: 10, fd: 6),
            SegmentDescriptor(kind: .overlay, segmentID: 2, byteSize: 10, fd: 6, adapterIndex: 0),
            SegmentDescriptor(kind: .base, segmentID: 2, byteSize: 10, fd: 6, adapterIndex: 0),
        ]
        for segment in bad {
            var writer = PayloadWriter(context: "TEST")
            #expect(caught { () throws(WireError) in try segment.encode(to: &writer) }?.code == .invalidArgument)
        }
        // A factors descriptor written by hand without its index.
        var writer = PayloadWriter(context: "TEST")
        writer.u8(SegmentKind.factors.rawValue)
        writer.u64(2)
        writer.u64(10)
        try writer.fd(6, "fd")
        writer.u8(0)
        let error = caught { () throws(WireError) in
            try PayloadReader.decode(SegmentDescriptor.self, payload: writer.payload, fds: [6], context: "TEST")
        }
        #expect(error?.code == .malformedFrame)
    }
}
