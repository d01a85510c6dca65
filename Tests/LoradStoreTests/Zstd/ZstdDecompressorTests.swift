import LoradTestSupport
import Testing
@testable import LoradStore

@Suite struct ZstdDecompressorTests {
    private let input = Array(repeating: UInt8(7), count: 500) + Array(0...255)

    private func frame() throws -> [UInt8] {
        try ZstdCompressor().compress(input, parameters: ZstdParameters(level: 3))
    }

    private func decode(_ frame: [UInt8], size: Int) throws(ZstdError) {
        var output = [UInt8](repeating: 0, count: size)
        let decompressor = try ZstdDecompressor()
        try frame.withTypedBytes { (source) throws(ZstdError) in
            try output.withTypedMutableBytes { (target) throws(ZstdError) in try decompressor.decompress(source, into: target) }
        }
    }

    @Test func rejectsWrongExpectedSize() throws {
        let error = #expect(throws: ZstdError.self) { try decode(try frame(), size: input.count + 1) }
        #expect(error?.kind == .unexpectedFrame)
        #expect(error?.description.contains("declares \(input.count) bytes") == true)
    }

    @Test func rejectsTrailingBytes() throws {
        let error = #expect(throws: ZstdError.self) { try decode(try frame() + [0], size: input.count) }
        #expect(error?.description.contains("region") == true)
    }

    @Test func rejectsGarbageWithLibraryErrorName() throws {
        let error = #expect(throws: ZstdError.self) { try decode([1, 2, 3, 4, 5, 6, 7, 8, 9], size: 3) }
        #expect(error?.description.contains("not a zstd frame") == true)
        let damaged = Array(try frame().dropLast(2))
        let library = #expect(throws: ZstdError.self) { try decode(damaged, size: input.count) }
        #expect(library?.description.hasPrefix("zstd") == true)
    }

    /// Seeded mutations of real frames: each must decode (to exactly the expected size)
    /// or throw ZstdError.
    @Test func mutatedFramesDecodeOrThrow() throws {
        var rng = SplitMix64(seed: 42)
        let sources = [
            input, PackSamples.randomBytes(300, &rng), Array(repeating: 0, count: 5000),
            PackSamples.gaussianBF16(2000, sigma: 0.02, &rng),
        ]
        let compressor = try ZstdCompressor()
        for source in sources {
            for parameters in [ZstdParameters(level: 3), PackTuning.exponentPlane(level: 3)] {
                let frame = try compressor.compress(source, parameters: parameters)
                for _ in 0..<250 {
                    var damaged = frame
                    for _ in 0..<Int.random(in: 1...3, using: &rng) {
                        damaged[Int.random(in: 0..<damaged.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                    }
                    do throws(ZstdError) { try decode(damaged, size: source.count) } catch {
                        #expect(!error.description.isEmpty)
                    }
                }
            }
        }
    }

    @Test func rejectsEmptyRegion() {
        #expect(throws: ZstdError.self) { try decode([], size: 0) }
    }
}
