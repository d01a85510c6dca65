import LoradTensors
import LoradTestSupport
import Testing
@testable import LoradStore

/// Seeded random mutations: every corrupt pack must decode or throw PackError, never
/// crash, and never allocate past the small limits given to the reader.
@Suite struct PackFuzzTests {
    private static let limits = PackLimits(maxTensorBytes: 1 << 16, maxTotalBytes: 1 << 18)

    /// Recomputes the manifest checksum after a mutation, as a hostile writer would, so
    /// the parser behind the checksum gets exercised. Leaves bytes alone when the header
    /// is too damaged to locate the checksum.
    static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= PackFormat.headerSize else { return bytes }
        let manifestLength = Int(bytes[12]) | Int(bytes[13]) << 8 | Int(bytes[14]) << 16 | Int(bytes[15]) << 24
        let end = PackFormat.headerSize + manifestLength
        guard end + 8 <= bytes.count else { return bytes }
        var out = bytes
        let checksum = out.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<end])) }
        for index in 0..<8 { out[end + index] = UInt8(truncatingIfNeeded: checksum >> (8 * UInt64(index))) }
        return out
    }

    /// Recomputes every tensor's frames checksum (from the original pack's layout) and
    /// then the manifest checksum, so damaged frames reach zstd. Only for mutations that
    /// kept the length and left the manifest alone.
    static func resealedFrames(_ bytes: [UInt8], original: [UInt8], manifest: PackManifest) -> [UInt8] {
        let manifestEnd = PackFormat.headerSize + (Int(original[12]) | Int(original[13]) << 8 | Int(original[14]) << 16)
        guard bytes.count == original.count, bytes[0..<manifestEnd] == original[0..<manifestEnd] else { return bytes }
        let entries = manifest.tensors.map { entry in
            PackTensorEntry(
                name: entry.name, dtype: entry.dtype, shape: entry.shape, transform: entry.transform,
                byteCount: entry.byteCount, checksum: entry.checksum,
                framesChecksum: XXH64.hash(Array(bytes[entry.compressedRange])), frames: entry.frames)
        }
        var out = ByteWriter()
        PackManifest.encode(
            metadata: manifest.metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) },
            tensors: entries, into: &out)
        var patched = bytes
        patched.replaceSubrange(PackFormat.headerSize..<manifestEnd, with: out.bytes)
        return resealed(patched)
    }

    /// Applies 1...4 random edits at positions in `region` (clamped to the buffer);
    /// length-changing edits (delete, insert, truncate) only when `resize` is true.
    private static func mutate(_ original: [UInt8], in region: Range<Int>, resize: Bool, _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = original
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let upper = min(region.upperBound, bytes.count)
            guard region.lowerBound < upper else { break }
            let at = Int.random(in: region.lowerBound..<upper, using: &rng)
            switch Int.random(in: 0..<(resize ? 7 : 4), using: &rng) {
            case 0: bytes[at] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            case 1: bytes[at] = UInt8.random(in: 0...255, using: &rng)
            case 2: bytes[at] = [0x00, 0xFF, 0x7F, 0x80][Int.random(in: 0..<4, using: &rng)]
            case 3:
                // Overwrite a little-endian field with an extreme value.
                let value: UInt64 = [0, 1, UInt64.max, UInt64(Int.max), 1 << 40, 0xFFFF_FFFF, 0xFFFF][Int.random(in: 0..<7, using: &rng)]
                let width = [2, 4, 8][Int.random(in: 0..<3, using: &rng)]
                for index in 0..<min(width, bytes.count - at) {
                    bytes[at + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))
                }
            case 4: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...16, using: &rng)))
            case 5: bytes.insert(contentsOf: PackSamples.randomBytes(Int.random(in: 1...8, using: &rng), &rng), at: at)
            default: bytes = Array(bytes.prefix(at))
            }
        }
        return bytes
    }

    @Test func randomMutationsDecodeOrThrow() throws {
        let original = try PackSamples.mixedWriter().encode()
        let manifest = try PackReader(bytes: original).manifest
        let dataStart = manifest.tensors.compactMap { $0.frames.first?.offset }.min() ?? original.count
        var rng = SplitMix64(seed: 0x5EED)
        var rejected = 0
        var accepted = 0
        for iteration in 0..<3200 {
            // A third each: anything anywhere; the manifest with a recomputed checksum
            // (a hostile writer); frames with recomputed checksums (zstd sees the damage).
            let bytes: [UInt8]
            switch iteration % 3 {
            case 0: bytes = Self.mutate(original, in: 0..<original.count, resize: true, &rng)
            case 1: bytes = Self.resealed(Self.mutate(original, in: 0..<dataStart - 8, resize: false, &rng))
            default:
                bytes = Self.resealedFrames(
                    Self.mutate(original, in: dataStart..<original.count, resize: false, &rng), original: original, manifest: manifest)
            }
            do throws(PackError) {
                let reader = try PackReader(bytes: bytes, limits: Self.limits)
                let tensors = try reader.decompressAll()
                for (entry, data) in zip(reader.manifest.tensors, tensors) {
                    #expect(data.count == entry.byteCount && XXH64.hash(data) == entry.checksum)
                }
                accepted += 1
            } catch {
                #expect(!error.description.isEmpty)
                rejected += 1
            }
        }
        #expect(rejected + accepted == 3200)
        // Accepted packs are edits that changed nothing that matters (a byte overwritten
        // with its own value, a reserved zstd bit under a recomputed checksum): rare.
        #expect(accepted < 160, "accepted \(accepted)")
    }

    @Test func singleByteFlipsAreAlwaysRejected() throws {
        let original = try PackSamples.mixedWriter(seed: 11).encode()
        var rng = SplitMix64(seed: 99)
        for _ in 0..<500 {
            var bytes = original
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            bytes[at] ^= UInt8.random(in: 1...255, using: &rng)
            #expect(throws: PackError.self, "flip at \(at)") {
                try PackReader(bytes: bytes, limits: Self.limits).verify()
            }
        }
    }
}
