import CFuse
@testable import LoradAdapters
import LoradTensors
import LoradTestSupport
import Testing

/// The certified F32 path of `.double` (sgemm, each rounding proven by an error
/// bound or recomputed in F64) against the plain dgemm path, and its vector C
/// loops against their portable versions.
@Suite struct CertifiedRoundingTests {
    /// Fuses with the certified path on or off and returns the output bytes.
    private func fuse(_ base: FuseTestMatrix, _ terms: [FuseTestTerm], certified: Bool, inPlace: Bool = false) throws -> [UInt8] {
        var tuning = FuseTuning(panelBytes: 64 << 10, conversionThreads: 2)
        tuning.certifiedSingle = certified
        var output = inPlace ? base.bytes : [UInt8](repeating: 0xA5, count: base.bytes.count)
        try withOperands(terms[...]) { fuseTerms in
            if inPlace {
                try output.withUnsafeMutableBytes { buffer in
                    let operand = FuseOperand(dtype: base.dtype, rows: base.rows, cols: base.cols, bytes: UnsafeRawBufferPointer(buffer))
                    try FuseKernel.fuse(base: operand, terms: fuseTerms, into: buffer, scratch: nil, accumulation: .double, tuning: tuning)
                }
            } else {
                try base.withOperand { operand in
                    try output.withUnsafeMutableBytes { buffer in
                        try FuseKernel.fuse(base: operand, terms: fuseTerms, into: buffer, scratch: nil, accumulation: .double, tuning: tuning)
                    }
                }
            }
        }
        return output
    }

    /// LoRA-like data: normal base and factors (deviation 0.02), rank `rank`.
    private func loraProblem(base dtype: DType, factors: DType, rows: Int, cols: Int, ranks: [Int],
                             coefficients: [Double], seed: UInt64) -> (FuseTestMatrix, [FuseTestTerm]) {
        var rng = SplitMix64(seed: seed)
        let base = FuseTestMatrix(dtype: dtype, rows: rows, cols: cols, deviation: 0.02, using: &rng)
        let terms = zip(ranks, coefficients).map { rank, coefficient in
            FuseTestTerm(a: FuseTestMatrix(dtype: factors, rows: rank, cols: cols, deviation: 0.02, using: &rng),
                         b: FuseTestMatrix(dtype: factors, rows: rows, cols: rank, deviation: 0.02, using: &rng),
                         coefficient: coefficient)
        }
        return (base, terms)
    }

    @Test(arguments: [DType.bf16, .f16], [DType.bf16, .f16, .f32])
    func certifiedEqualsDoubleOnLoRAData(base: DType, factors: DType) throws {
        let (matrix, terms) = loraProblem(base: base, factors: factors, rows: 67, cols: 131, ranks: [16, 3],
                                          coefficients: [2.0, -0.37], seed: 41)
        let certified = try fuse(matrix, terms, certified: true)
        #expect(certified == (try fuse(matrix, terms, certified: false)))
        #expect(certified == (try fuse(matrix, terms, certified: true, inPlace: true)))
    }

    @Test(arguments: [DType.bf16, .f16])
    func nearCancellingSumsAreRecomputedAndCorrectlyRounded(base: DType) throws {
        // The terms undo the base almost exactly (W + B A - W' with W' ~ W): every
        // result is tiny, far below the F32 sum's error bound, so all go to F64.
        var rng = SplitMix64(seed: 7)
        let rows = 24, cols = 40
        let a = FuseTestMatrix(dtype: .f32, rows: 1, cols: cols, values: (0..<cols).map { _ in Double.random(in: 0.5...1, using: &rng) })
        let b = FuseTestMatrix(dtype: .f32, rows: rows, cols: 1, values: (0..<rows).map { _ in Double.random(in: 0.5...1, using: &rng) })
        let product = (0..<(rows * cols)).map { b.values[$0 / cols] * a.values[$0 % cols] }
        let matrix = FuseTestMatrix(dtype: base, rows: rows, cols: cols, values: product.map { -$0 * (1 + 0x1p-12) })
        let terms = [FuseTestTerm(a: a, b: b, coefficient: 1)]
        let certified = try fuse(matrix, terms, certified: true)
        #expect(certified == (try fuse(matrix, terms, certified: false)))
        let exact = referenceFuse(base: matrix, terms: terms).exact
        let result = FuseTestMatrix.decode(certified, base)
        for index in exact.indices {
            let ulp = FuseTestMatrix.ulp(of: exact[index], base)
            #expect((result[index] - exact[index]).magnitude <= 0.5 * ulp, "element \(index)")
        }
    }

    @Test func nonFiniteAndZeroResultsGoThroughF64() throws {
        let values: [Double] = [.infinity, -.infinity, .nan, 0, -0.0, 1e-40, 3, -2]
        let matrix = FuseTestMatrix(dtype: .bf16, rows: 1, cols: values.count, values: values)
        let terms = [FuseTestTerm(a: FuseTestMatrix(dtype: .bf16, rows: 1, cols: values.count, values: Array(repeating: 0.25, count: values.count)),
                                  b: FuseTestMatrix(dtype: .bf16, rows: 1, cols: 1, values: [0.5]), coefficient: 0.75)]
        #expect(try fuse(matrix, terms, certified: true) == (try fuse(matrix, terms, certified: false)))
    }

    @Test func vectorDotEqualsPortableWithinF64Rounding() {
        var rng = SplitMix64(seed: 3)
        for count in [0, 1, 7, 15, 16, 17, 128, 131] {
            let x = (0..<count).map { _ in Float.random(in: -1...1, using: &rng) }
            let y = (0..<count).map { _ in Float.random(in: -1...1, using: &rng) }
            let exactish = zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let vector = cfuse_dot_f32_in_f64(x, y, count)
            let portable = cfuse_dot_f32_in_f64_portable(x, y, count)
            #expect((vector - exactish).magnitude <= 1e-13 && (portable - exactish).magnitude <= 1e-13, "count \(count)")
        }
    }

    @Test(arguments: [1, 8, 13, 64, 259])
    func vectorRoundingEqualsPortable(count: Int) {
        // Random F32 values (NaN, infinities, zeros, subnormals, exact ties included),
        // random weights and bounds: the same BF16 bits and the same failures.
        var rng = SplitMix64(seed: UInt64(count))
        let specials: [Float] = [.nan, .infinity, -.infinity, 0, -0, .leastNonzeroMagnitude, 1.00390625, -3.0078125]
        let values: [Float] = (0..<count).map { index in
            index % 5 == 0 ? specials[(index / 5) % specials.count] : Float.random(in: -0.1...0.1, using: &rng)
        }
        let weights: [UInt16] = (0..<count).map { _ in UInt16.random(in: 0...0x7F7F, using: &rng) }
        let norms = [(0..<count).map { _ in Float.random(in: 0...0.1, using: &rng) },
                     (0..<count).map { _ in Float.random(in: 0...0.1, using: &rng) }]
        let scales: [Float] = [3e-6, 1e-6]
        func run(_ function: (UnsafePointer<Float>, UnsafeRawPointer, UnsafePointer<Float>, UnsafePointer<UnsafePointer<Float>?>,
                              Int, Float, Float, Int, UnsafeMutableRawPointer, UnsafeMutablePointer<Int>) -> Int) -> ([UInt16], [Int]) {
            var out = [UInt16](repeating: 0, count: count)
            var failed = [Int](repeating: -1, count: count)
            let failures = norms[0].withUnsafeBufferPointer { n0 in
                norms[1].withUnsafeBufferPointer { n1 in
                    let pointers: [UnsafePointer<Float>?] = [n0.baseAddress, n1.baseAddress]
                    return out.withUnsafeMutableBytes { outBytes in
                        weights.withUnsafeBytes { weightBytes in
                            function(values, weightBytes.baseAddress!, scales, pointers, 2, 8e-6, 1e-40, count,
                                     outBytes.baseAddress!, &failed)
                        }
                    }
                }
            }
            return (out, Array(failed.prefix(failures)))
        }
        let vector = run(cfuse_round_bf16_certified)
        let portable = run(cfuse_round_bf16_certified_portable)
        #expect(vector.0 == portable.0)
        #expect(vector.1 == portable.1)
        #expect(vector.0 == values.map { ElementConversion.bfloat16($0) })
        // Specials are never certified.
        for index in stride(from: 0, to: count, by: 5) where [0, 1, 2, 3, 4, 5].contains((index / 5) % specials.count) {
            #expect(vector.1.contains(index), "special at \(index)")
        }
    }
}
