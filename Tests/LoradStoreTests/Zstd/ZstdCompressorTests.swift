import LoradTestSupport
import Testing
@testable import LoradStore

@Suite struct ZstdCompressorTests {
    private func roundTrip(_ input: [UInt8], _ parameters: ZstdParameters) throws -> [UInt8] {
        let compressor = try ZstdCompressor()
        let frame = try compressor.compress(input, parameters: parameters)
        var output = [UInt8](repeating: 0, count: input.count)
        let decompressor = try ZstdDecompressor()
        try frame.withUnsafeBytes { source in
            try output.withUnsafeMutableBytes { try decompressor.decompress(source, into: $0) }
        }
        return output
    }

    @Test func roundTripsWithReusedContextAndChangingParameters() throws {
        var rng = SplitMix64(seed: 1)
        let compressor = try ZstdCompressor()
        let decompressor = try ZstdDecompressor()
        let settings = [
            ZstdParameters(level: 3), PackTuning.exponentPlane(level: 1), PackTuning.exponentPlane(level: 3),
            ZstdParameters(level: 19), ZstdParameters(level: 1),
        ]
        for (index, parameters) in settings.enumerated() {
            let input = PackSamples.randomBytes(1000 * index, &rng) + Array(repeating: 5, count: 3000)
            let frame = try compressor.compress(input, parameters: parameters)
            #expect(frame.count < input.count)
            var output = [UInt8](repeating: 0, count: input.count)
            try frame.withUnsafeBytes { source in
                try output.withUnsafeMutableBytes { try decompressor.decompress(source, into: $0) }
            }
            #expect(output == input)
        }
    }

    @Test func emptyInputMakesAFrame() throws {
        #expect(try roundTrip([], ZstdParameters(level: 3)) == [])
    }

    @Test func frameRecordsItsContentSize() throws {
        let frame = try ZstdCompressor().compress(Array(repeating: 1, count: 1234), parameters: ZstdParameters(level: 3))
        let size = try frame.withUnsafeBytes { try ZstdDecompressor.declaredContentSize(of: $0) }
        #expect(size == 1234)
    }

    @Test func outOfRangeParameterThrows() throws {
        let bad = ZstdParameters(level: 3, strategy: .fast, minMatch: 99)
        #expect(throws: ZstdError.self) { try ZstdCompressor().compress([1, 2, 3], parameters: bad) }
    }
}
