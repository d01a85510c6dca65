import Testing

@testable import LoradWire

@Suite struct FrameDecoderTests {
    private func encoded(_ name: String) throws -> EncodedFrame {
        let sample = try #require(samples.first { $0.name == name })
        return try sample.encode()
    }

    @Test func byteByByteYieldsTheSameFrames() throws {
        let one = try encoded("switch_reply")
        let two = try encoded("ping_reply")
        let stream = one.bytes + two.bytes
        let whole = try frames(from: stream, fds: one.fds)
        #expect(whole.count == 2)
        #expect(whole[0].fds == one.fds)
        #expect(whole[1].fds.isEmpty)
        for size in [1, 2, 3, 7, 16, 17, 64] {
            #expect(try frames(from: stream, fds: one.fds, chunkSize: size) == whole)
        }
    }

    @Test func partialFramesWaitForMoreBytes() throws {
        let frame = try encoded("hello_request")
        var decoder = FrameDecoder()
        decoder.feed(frame.bytes.dropLast())
        #expect(try decoder.nextFrame() == nil)
        #expect(!decoder.isAtFrameBoundary)
        decoder.feed(frame.bytes.suffix(1))
        #expect(try decoder.nextFrame()?.header.opcode == Opcode.hello.rawValue)
        #expect(try decoder.nextFrame() == nil)
        #expect(decoder.isAtFrameBoundary)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func oversizedLengthFailsBeforeThePayloadArrives() throws {
        var header = ByteWriter()
        FrameHeader(payloadLength: 65521, opcode: 2, fdCount: 0, requestID: 1).write(to: &header)
        var decoder = FrameDecoder()
        decoder.feed(header.bytes)
        #expect(caught { () throws(WireError) in try decoder.nextFrame() }?.code == .frameTooLarge)
        // Sticky: the stream is unusable now.
        decoder.feed([0, 0, 0])
        #expect(caught { () throws(WireError) in try decoder.nextFrame() }?.code == .frameTooLarge)
    }

    @Test func limitsCanBeRaisedAfterTheHandshake() throws {
        var header = ByteWriter()
        FrameHeader(payloadLength: 70000, opcode: 2, fdCount: 0, requestID: 1).write(to: &header)
        var decoder = FrameDecoder()
        decoder.limits = FrameLimits(maxFrameBytes: 1 << 20, maxFDsPerFrame: 253)
        decoder.feed(header.bytes + [UInt8](repeating: 0, count: 70000))
        #expect(try decoder.nextFrame()?.payload.count == 70000)
    }

    @Test func descriptorsMissingFromTheFirstByteAreFatal() throws {
        let frame = try encoded("export_request")
        // fds arrive with a later chunk instead of the first byte.
        var decoder = FrameDecoder()
        decoder.feed(frame.bytes.prefix(16))
        let error = caught { () throws(WireError) in try decoder.nextFrame() }
        #expect(error?.code == .fdCountMismatch)
        decoder.feed(frame.bytes.dropFirst(16), fds: frame.fds)
        #expect(decoder.takeUndeliveredFDs() == frame.fds)
    }

    @Test func fewerDescriptorsThanAnnouncedAreFatal() throws {
        let frame = try encoded("switch_reply")
        #expect(
            caught { () throws(WireError) in try frames(from: frame.bytes, fds: [1, 2]) }?.code == .fdCountMismatch)
        #expect(caught { () throws(WireError) in try frames(from: frame.bytes) }?.code == .fdCountMismatch)
    }

    @Test func moreDescriptorsThanAnnouncedAreFatal() throws {
        let frame = try encoded("ping_request")
        #expect(caught { () throws(WireError) in try frames(from: frame.bytes, fds: [5]) }?.code == .fdCountMismatch)
        let withFD = try encoded("export_request")
        var decoder = FrameDecoder()
        decoder.feed(withFD.bytes.prefix(20), fds: withFD.fds + [9])
        #expect(caught { () throws(WireError) in try decoder.nextFrame() }?.code == .fdCountMismatch)
        #expect(decoder.takeUndeliveredFDs() == withFD.fds + [9])
    }

    @Test func descriptorsWithNoBytesAreFatal() {
        var decoder = FrameDecoder()
        decoder.feed([], fds: [3])
        #expect(caught { () throws(WireError) in try decoder.nextFrame() }?.code == .fdCountMismatch)
    }

    @Test func aPartialHeaderMayHoldItsDescriptors() throws {
        let frame = try encoded("export_request")
        var decoder = FrameDecoder()
        decoder.feed(frame.bytes.prefix(3), fds: frame.fds)
        #expect(try decoder.nextFrame() == nil)
        decoder.feed(frame.bytes.dropFirst(3))
        #expect(try decoder.nextFrame()?.fds == frame.fds)
    }

    @Test func descriptorsOfALaterFrameMayShareAChunkWithAnEarlierFrame() throws {
        // recvmsg may return the tail of frame A and the start of frame B with B's descriptors.
        let a = try encoded("ping_request")
        let b = try encoded("import_request")
        let stream = a.bytes + b.bytes
        var decoder = FrameDecoder()
        decoder.feed(stream.prefix(10))
        #expect(try decoder.nextFrame() == nil)
        decoder.feed(stream[10..<(a.bytes.count + 20)], fds: b.fds)
        #expect(try decoder.nextFrame()?.fds == [])
        #expect(try decoder.nextFrame() == nil)
        decoder.feed(stream.dropFirst(a.bytes.count + 20))
        #expect(try decoder.nextFrame()?.fds == b.fds)
        #expect(decoder.isAtFrameBoundary)
    }

    @Test func headerErrorsAreReportedWithTheirCodes() {
        var reserved = ByteWriter()
        FrameHeader(payloadLength: 0, opcode: 2, fdCount: 0, reserved: 7, requestID: 1).write(to: &reserved)
        #expect(caught { () throws(WireError) in try frames(from: reserved.bytes) }?.code == .malformedFrame)
        var manyFDs = ByteWriter()
        FrameHeader(payloadLength: 0, opcode: 2, fdCount: 300, requestID: 1).write(to: &manyFDs)
        #expect(caught { () throws(WireError) in try frames(from: manyFDs.bytes) }?.code == .frameTooLarge)
    }
}
