import Testing

@testable import LoradWire

@Suite struct ByteReaderTests {
    @Test func readsLittleEndianIntegers() {
        var reader = ByteReader([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xFF])
        #expect(reader.readInteger(as: UInt16.self) == 0x0201)
        #expect(reader.readInteger(as: UInt32.self) == 0x0605_0403)
        #expect(reader.readInteger(as: UInt8.self) == 0x07)
        #expect(reader.readInteger(as: Int8.self) == 0x08)
        #expect(reader.readInteger(as: Int8.self) == -1)
        #expect(reader.readableBytes == 0)
    }

    @Test func missingBytesReturnNilAndMoveNothing() {
        var reader = ByteReader([0xAA, 0xBB, 0xCC])
        #expect(reader.readInteger(as: UInt32.self) == nil)
        #expect(reader.readerIndex == 0)
        #expect(reader.readFloat64() == nil)
        #expect(reader.readBytes(length: 4) == nil)
        #expect(reader.readBytes(length: -1) == nil)
        let moved1 = reader.moveReaderIndex(forwardBy: 4)
        #expect(!moved1)
        #expect(reader.readerIndex == 0)
        #expect(reader.readBytes(length: 3) == [0xAA, 0xBB, 0xCC])
        #expect(reader.readInteger(as: UInt8.self) == nil)
    }

    @Test func float64KeepsEveryBitPattern() {
        for bits: UInt64 in [
            0, 0x3FE9_9999_9999_999A, 0x7FF8_0000_0000_0001, 0xFFF0_0000_0000_0000, 0x8000_0000_0000_0000,
        ] {
            var writer = ByteWriter()
            writer.writeFloat64(Double(bitPattern: bits))
            var reader = ByteReader(writer.bytes)
            #expect(reader.readFloat64()?.bitPattern == bits)
        }
    }

    @Test func getIntegerPeeksInsideTheWindowOnly() {
        let reader = ByteReader([1, 0, 2, 0])
        #expect(reader.getInteger(at: 2, as: UInt16.self) == 2)
        #expect(reader.getInteger(at: 3, as: UInt16.self) == nil)
        #expect(reader.getInteger(at: -1, as: UInt8.self) == nil)
        #expect(reader.readerIndex == 0)
    }

    @Test func windowsLimitAndThenSkipTheRest() {
        var reader = ByteReader([1, 2, 3, 4, 5])
        let outer = reader.narrowWindow(toNext: 3)
        #expect(outer == 5)
        #expect(reader.readInteger(as: UInt8.self) == 1)
        #expect(reader.readInteger(as: UInt32.self) == nil)
        reader.restoreWindow(endIndex: outer ?? 0)
        #expect(reader.readerIndex == 3)
        #expect(reader.readBytes(length: 2) == [4, 5])
        #expect(reader.narrowWindow(toNext: 1) == nil)
    }
}
