import LoradTensors
import Testing
@testable import LoradStore

@Suite struct PackReaderTests {
    private func pack() throws -> [UInt8] { try PackSamples.mixedWriter().encode() }

    @Test func everyFlippedByteIsDetectedAndNamed() throws {
        let original = try pack()
        let manifest = try PackReader(bytes: original).manifest
        let dataStart = manifest.tensors.compactMap { $0.frames.first?.offset }.min() ?? original.count
        for offset in 0..<original.count {
            for mask: UInt8 in [0x01, 0x80] {
                var bytes = original
                bytes[offset] ^= mask
                let error = #expect(throws: PackError.self, "flip at \(offset)") {
                    try PackReader(bytes: bytes).verify()
                }
                guard let error else { continue }
                if offset < dataStart {
                    #expect(error.tensorName == nil, "flip at \(offset): \(error)")
                    #expect(error.description.contains("pack"), "flip at \(offset): \(error)")
                } else {
                    let owner = PackSamples.tensor(containing: offset, in: manifest)?.name
                    #expect(owner != nil && error.tensorName == owner, "flip at \(offset): \(error)")
                    #expect(error.description.contains("'\(owner ?? "?")'"))
                }
            }
        }
    }

    @Test func flipInManifestReportsChecksum() throws {
        var bytes = try pack()
        bytes[PackFormat.headerSize + 6] ^= 0x04
        let error = #expect(throws: PackError.self) { try PackReader(bytes: bytes) }
        guard case .manifestChecksumMismatch = error else {
            Issue.record("expected a manifest checksum error, got \(String(describing: error))")
            return
        }
        #expect(error?.description.hasPrefix("pack manifest is corrupt") == true)
    }

    @Test func everyTruncationIsRejected() throws {
        let original = try pack()
        for length in 0..<original.count {
            #expect(throws: PackError.self, "length \(length)") {
                try PackReader(bytes: Array(original.prefix(length)))
            }
        }
        let short = #expect(throws: PackError.self) { try PackReader(bytes: Array(original.dropLast())) }
        #expect(short == .truncated(needed: original.count, available: original.count - 1))
        #expect(throws: PackError.trailingBytes(declared: original.count, actual: original.count + 1)) {
            try PackReader(bytes: original + [0])
        }
    }

    @Test func badMagicAndVersion() throws {
        #expect(throws: PackError.badMagic) { try PackReader(bytes: Array("PK\u{3}\u{4} zip file, not a pack".utf8)) }
        #expect(throws: PackError.badMagic) { try PackReader(bytes: Array("LORAPAC!".utf8)) }
        #expect(throws: PackError.truncated(needed: 24, available: 0)) { try PackReader(bytes: []) }
        #expect(throws: PackError.truncated(needed: 24, available: 4)) { try PackReader(bytes: Array("LORA".utf8)) }
        #expect(PackError.badMagic.description.hasPrefix("not a lorad pack (bad magic); "))
        var bytes = try pack()
        bytes[8] = 2
        #expect(throws: PackError.unsupportedVersion(2)) { try PackReader(bytes: bytes) }
    }

    @Test func limitsAreEnforcedBeforeDecoding() throws {
        let bytes = try pack()
        let error = #expect(throws: PackError.self) {
            try PackReader(bytes: bytes, limits: PackLimits(maxTensorBytes: 100))
        }
        #expect(error?.description.contains("over the 100-byte limit") == true)
        #expect(throws: PackError.self) { try PackReader(bytes: bytes, limits: PackLimits(maxTotalBytes: 300)) }
    }

    @Test func unknownTensorIsNamed() throws {
        let reader = try PackReader(bytes: try pack())
        #expect(throws: PackError.tensorNotFound("nope")) { try reader.decompress(tensorNamed: "nope") }
    }

    @Test func copyingInitReadsABuffer() throws {
        let bytes = try pack()
        let reader = try bytes.withUnsafeBytes { try PackReader(copying: $0) }
        try reader.verify()
        #expect(reader.byteCount == bytes.count)
    }

    /// A hostile manifest with a valid checksum is still checked field by field.
    @Test func hostileManifestWithValidChecksum() throws {
        var writer = PackWriter()
        try writer.addTensor(name: "a", dtype: .u8, shape: [3], bytes: [1, 2, 3])
        let good = try writer.encode()
        // Manifest: u32 0 (metadata), u32 1 (tensors), u16 1, "a", u8 2, "U8", u8 0, u8 1, u64 3 ...
        let dimension = PackFormat.headerSize + 4 + 4 + 2 + 1 + 1 + 2 + 1 + 1
        var huge = good
        for index in 0..<8 { huge[dimension + index] = 0xFF }
        let error = #expect(throws: PackError.self) { try PackReader(bytes: PackFuzzTests.resealed(huge)) }
        #expect(error?.description.contains("out of range") == true)
        var mismatch = good
        mismatch[dimension] = 4
        let shapeError = #expect(throws: PackError.self) { try PackReader(bytes: PackFuzzTests.resealed(mismatch)) }
        #expect(shapeError?.description.contains("cannot be 3 bytes") == true)
    }
}
