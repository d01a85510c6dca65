import Testing

@testable import LoradWire

@Suite struct FrameHeaderTests {
    @Test func writesOverTheRoomLeftForIt() {
        let header = FrameHeader(
            payloadLength: 0x0102_0304, opcode: 0x8023, flags: 0x0100, fdCount: 3, requestID: 0xA0B0_C0D0)
        var appended = ByteWriter()
        header.write(to: &appended)
        var inPlace = ByteWriter()
        inPlace.writeBytes(repeatElement(0, count: FrameHeader.size))
        inPlace.writeBytes([9, 8])
        header.write(over: &inPlace)
        #expect(inPlace.bytes == appended.bytes + [9, 8])
        var short = ByteWriter()
        short.writeBytes([1, 2, 3])
        header.write(over: &short)
        #expect(short.bytes == [1, 2, 3], "fewer than 16 bytes: left alone")
    }

    @Test func encodesTheDocumentedLayout() {
        let header = FrameHeader(
            payloadLength: 0x0102_0304, opcode: 0x8023, flags: 0x0100, fdCount: 3, requestID: 0xA0B0_C0D0)
        var writer = ByteWriter()
        header.write(to: &writer)
        #expect(
            writer.bytes == [
                0x04, 0x03, 0x02, 0x01, 0x23, 0x80, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00, 0xD0, 0xC0, 0xB0, 0xA0,
            ])
        var reader = ByteReader(writer.bytes)
        #expect(FrameHeader.read(from: &reader) == header)
        #expect(reader.readableBytes == 0)
    }

    @Test func needsAllSixteenBytes() {
        var reader = ByteReader([UInt8](repeating: 0, count: 15))
        #expect(FrameHeader.read(from: &reader) == nil)
        #expect(reader.readerIndex == 0)
    }

    @Test func validationFollowsTheSpec() {
        let ok = FrameHeader(payloadLength: 65520, opcode: 1, fdCount: 253, requestID: 1)
        #expect(caught { () throws(WireError) in try ok.validate(limits: .default) } == nil)

        var reserved = ok
        reserved.reserved = 1
        #expect(caught { () throws(WireError) in try reserved.validate(limits: .default) }?.code == .malformedFrame)

        var critical = ok
        critical.flags = 0x0001
        #expect(caught { () throws(WireError) in try critical.validate(limits: .default) }?.code == .malformedFrame)

        var advisory = ok
        advisory.flags = 0x8000
        #expect(caught { () throws(WireError) in try advisory.validate(limits: .default) } == nil)

        var long = ok
        long.payloadLength = 65521
        #expect(caught { () throws(WireError) in try long.validate(limits: .default) }?.code == .frameTooLarge)
        long.payloadLength = .max
        #expect(caught { () throws(WireError) in try long.validate(limits: .default) }?.code == .frameTooLarge)

        var fds = ok
        fds.fdCount = 254
        #expect(caught { () throws(WireError) in try fds.validate(limits: .default) }?.code == .frameTooLarge)
    }

    @Test func limitsHaveDocumentedRanges() {
        #expect(FrameLimits.default.isValid)
        #expect(FrameLimits.default.maxPayloadBytes == 65520)
        #expect(!FrameLimits(maxFrameBytes: 4095, maxFDsPerFrame: 1).isValid)
        #expect(!FrameLimits(maxFrameBytes: 4096, maxFDsPerFrame: 0).isValid)
        #expect(!FrameLimits(maxFrameBytes: 4096, maxFDsPerFrame: 254).isValid)
        #expect(!FrameLimits(maxFrameBytes: (16 << 20) + 1, maxFDsPerFrame: 1).isValid)
        #expect(FrameLimits(maxFrameBytes: 16 << 20, maxFDsPerFrame: 253).isValid)
    }
}
