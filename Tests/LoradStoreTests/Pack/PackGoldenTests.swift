import LoradTensors
import Testing
@testable import LoradStore

/// The worked example of docs/PACK_FORMAT.md. If the encoder's output changes, the
/// format changed: bump the version and update the document, do not just edit the bytes.
/// (Checksums and frames cross-checked with `xxhsum -H1` and `zstd -d`.)
@Suite struct PackGoldenTests {
    static let golden: [UInt8] = hex("""
        4c 4f 52 41 50 41 43 4b 01 00 00 00 a0 00 00 00 e6 00 00 00 00 00 00 00
        01 00 00 00 05 00 61 6c 70 68 61 01 00 00 00 38
        02 00 00 00
        01 00 61 04 42 46 31 36 02 02 02 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00
        08 00 00 00 00 00 00 00 f6 3c 5e 20 7b 54 e1 18 96 2d 94 9b df 81 2d ec
        02 c0 00 00 00 00 00 00 00 0d 00 00 00 00 00 00 00 cd 00 00 00 00 00 00 00 0d 00 00 00 00 00 00 00
        01 00 62 02 55 38 00 01 03 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00
        a5 e5 4e 0c ee 13 3e 74 d6 f9 54 12 e9 05 19 fa
        01 da 00 00 00 00 00 00 00 0c 00 00 00 00 00 00 00
        d0 be 53 dc f5 01 02 8e
        28 b5 2f fd 20 04 21 00 00 7f 80 7e 00
        28 b5 2f fd 20 04 21 00 00 00 01 00 00
        28 b5 2f fd 20 03 19 00 00 01 02 03
        """)

    /// bf16 1.0, -2.0, 0.5, 0.0 as little-endian bytes.
    static let a: [UInt8] = [0x80, 0x3F, 0x00, 0xC0, 0x00, 0x3F, 0x00, 0x00]
    static let b: [UInt8] = [1, 2, 3]

    private static func hex(_ text: String) -> [UInt8] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { UInt8($0, radix: 16) }
    }

    @Test func encoderProducesTheGoldenBytes() throws {
        var writer = PackWriter(metadata: ["alpha": "8"])
        try writer.addTensor(name: "b", dtype: .u8, shape: [3], bytes: Self.b)
        try writer.addTensor(name: "a", dtype: .bf16, shape: [2, 2], bytes: Self.a)
        #expect(Self.golden.count == 230)
        #expect(try writer.encode(level: 3) == Self.golden)
    }

    @Test func readerDecodesTheGoldenBytes() throws {
        let reader = try PackReader(bytes: Self.golden)
        #expect(reader.manifest.metadata == ["alpha": "8"])
        let a = try #require(reader.manifest.tensor(named: "a"))
        #expect(a.dtype == .bf16 && a.shape == [2, 2] && a.transform == .rotatedBytePlanes)
        #expect(a.checksum == 0x18E1_547B_205E_3CF6 && a.framesChecksum == 0xEC2D_81DF_9B94_2D96)
        #expect(a.frames == [PackFrame(offset: 192, byteCount: 13), PackFrame(offset: 205, byteCount: 13)])
        let b = try #require(reader.manifest.tensor(named: "b"))
        #expect(b.transform == PackTransform.none && b.frames == [PackFrame(offset: 218, byteCount: 12)])
        #expect(try reader.decompress(tensorNamed: "a") == Self.a)
        #expect(try reader.decompress(tensorNamed: "b") == Self.b)
    }
}
