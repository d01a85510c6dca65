import Testing

@testable import LoradWire

@Suite struct ByteWriterTests {
    @Test func writesLittleEndian() {
        var writer = ByteWriter()
        writer.writeInteger(UInt16(0x0201))
        writer.writeInteger(UInt32(0x0605_0403))
        writer.writeInteger(Int8(-1))
        writer.writeBytes([9, 9])
        #expect(writer.bytes == [1, 2, 3, 4, 5, 6, 0xFF, 9, 9])
        #expect(writer.count == 9)
    }

    @Test func setIntegerAndSetBytesStayInsideWhatWasWritten() {
        var writer = ByteWriter()
        writer.writeBytes([0, 0, 0])
        let wrote1 = writer.setInteger(UInt16(0xBEEF), at: 1)
        #expect(wrote1)
        let wrote2 = writer.setInteger(UInt16(1), at: 2)
        #expect(!wrote2)
        let wrote3 = writer.setInteger(UInt8(1), at: -1)
        #expect(!wrote3)
        #expect(writer.bytes == [0, 0xEF, 0xBE])
        let wrote4 = writer.setBytes([7], at: 0)
        #expect(wrote4)
        let wrote5 = writer.setBytes([7, 7], at: 2)
        #expect(!wrote5)
        #expect(writer.bytes == [7, 0xEF, 0xBE])
    }
}
