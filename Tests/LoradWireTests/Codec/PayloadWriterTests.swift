import Testing

@testable import LoradWire

@Suite struct PayloadWriterTests {
    @Test func boundsAreCheckedBeforeWriting() {
        var writer = PayloadWriter(context: "TEST")
        let error = caught { () throws(WireError) in
            try writer.string(String(repeating: "x", count: 129), "name", maxBytes: 128)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.description.contains("field name") == true)
        #expect(
            caught { () throws(WireError) in
                try writer.list([1, 2, 3], "items", maxCount: 2) { w, v throws(WireError) in w.u8(UInt8(v)) }
            }?.code == .invalidArgument)
    }

    @Test func descriptorsGetIndexesInOrder() throws {
        var writer = PayloadWriter(context: "TEST")
        try writer.fd(55, "a")
        try writer.fd(44, "b")
        #expect(writer.payload == [0, 0, 1, 0])
        #expect(writer.fds == [55, 44])
    }

    @Test func finishFrameWritesTheHeaderAndChecksLimits() throws {
        var writer = PayloadWriter.forFrame(context: "TEST")
        writer.u32(0xDDCC_BBAA)
        try writer.fd(3, "fd")
        let frame = try writer.finishFrame(opcode: .ping, requestID: 9, limits: .default)
        #expect(frame.bytes == [6, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0xAA, 0xBB, 0xCC, 0xDD, 0, 0])
        #expect(frame.fds == [3])

        var big = PayloadWriter.forFrame(context: "TEST")
        big.u64(0)
        let small = FrameLimits(maxFrameBytes: 4096, maxFDsPerFrame: 1)
        _ = try big.finishFrame(opcode: .ping, requestID: 1, limits: small)
        var tooBig = PayloadWriter.forFrame(context: "TEST")
        for _ in 0..<4081 { tooBig.u8(0) }
        #expect(
            caught { () throws(WireError) in try tooBig.finishFrame(opcode: .ping, requestID: 1, limits: small) }?.code
                == .frameTooLarge)
        var manyFDs = PayloadWriter.forFrame(context: "TEST")
        try manyFDs.fd(1, "a")
        try manyFDs.fd(2, "b")
        #expect(
            caught { () throws(WireError) in try manyFDs.finishFrame(opcode: .ping, requestID: 1, limits: small) }?.code
                == .frameTooLarge)
    }
}
