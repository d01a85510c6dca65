import Foundation
import LoradTensors
import Testing
@testable import LoradAdapters

/// Near-cancelling sums, where F32 accumulation alone rounds BF16/F16 the wrong way.
@Suite struct FuseRefinementTests {
    /// A tiny seeded generator (SplitMix64) for reproducible matrices.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func normal() -> Double {
            let u1 = Double(next() >> 11) * 0x1p-53 + 0x1p-54
            let u2 = Double(next() >> 11) * 0x1p-53
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
    }

    @Test(arguments: [DType.bf16, DType.f16])
    func cancellingSumsAreCorrectlyRounded(dtype: DType) throws {
        let rows = 48, cols = 40, rank = 16
        var generator = Generator(state: 42)
        let a = (0..<(rank * cols)).map { _ in Float(generator.normal() * 0.2) }
        let b = (0..<(rows * rank)).map { _ in Float(generator.normal() * 0.2) }
        let coefficient = 0.75
        // W = -(c * B A) rounded to the dtype, so W + c B A is tiny: the worst case.
        var delta = [Double](repeating: 0, count: rows * cols)
        for i in 0..<rows {
            for j in 0..<cols {
                var sum = 0.0
                for k in 0..<rank { sum += Double(b[i * rank + k]) * Double(a[k * cols + j]) }
                delta[i * cols + j] = coefficient * sum
            }
        }
        let w = try Tensor(converting: delta.map { -$0 }, to: dtype, shape: [rows, cols])
        let wValues = try w.doubles()
        var output = [UInt8](repeating: 0, count: w.byteCount)
        try w.withUnsafeBytes { wBytes in
            try a.withUnsafeBytes { aBytes in
                try b.withUnsafeBytes { bBytes in
                    try output.withUnsafeMutableBytes { out in
                        try FuseKernel.fuse(
                            base: FuseOperand(dtype: dtype, rows: rows, cols: cols, bytes: wBytes),
                            terms: [FuseTerm(a: FuseOperand(dtype: .f32, rows: rank, cols: cols, bytes: aBytes),
                                             b: FuseOperand(dtype: .f32, rows: rows, cols: rank, bytes: bBytes),
                                             coefficient: coefficient)],
                            into: out)
                    }
                }
            }
        }
        let result = try Tensor(dtype: dtype, shape: [rows, cols], bytes: output).doubles()
        for index in result.indices {
            let exact = wValues[index] + delta[index]
            let expected = try Tensor(converting: [exact], to: dtype, shape: [1]).doubles()[0]
            #expect(result[index] == expected, "element \(index): got \(result[index]), correctly rounded \(expected), exact \(exact)")
        }
    }
}
