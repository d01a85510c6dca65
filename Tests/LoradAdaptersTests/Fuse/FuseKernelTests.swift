@testable import LoradAdapters
import LoradTensors
import LoradTestSupport
import Testing

private let floatTypes: [DType] = [.bf16, .f16, .f32, .f64]

/// A base with magnitudes in [0.5, 2) and three terms (ranks 1, 4 and 9; weights of
/// both signs) whose sum stays below a tenth of the base, so the accumulation error
/// bound holds with room to spare.
private func randomProblem(base dtype: DType, a aType: DType, b bType: DType, rows: Int, cols: Int,
                           seed: UInt64) -> (FuseTestMatrix, [FuseTestTerm]) {
    var rng = SplitMix64(seed: seed)
    let values = (0..<(rows * cols)).map { _ in
        Double.random(in: 0.5..<2, using: &rng) * (Bool.random(using: &rng) ? 1 : -1)
    }
    let base = FuseTestMatrix(dtype: dtype, rows: rows, cols: cols, values: values)
    let terms = [(1, 1.5), (4, -0.8), (9, 0.35)].map { rank, coefficient in
        FuseTestTerm(a: FuseTestMatrix(dtype: aType, rows: rank, cols: cols, in: -0.05...0.05, using: &rng),
                     b: FuseTestMatrix(dtype: bType, rows: rows, cols: rank, in: -0.05...0.05, using: &rng),
                     coefficient: coefficient)
    }
    return (base, terms)
}

/// Expects every element of `output` within the documented bound of the exact value:
/// with F64 accumulation the final rounding only (0.5 ulp plus the F64 error), with
/// F32 0.52 ulp for BF16/F16; F32 bases within 2 ulp; F64 the accumulation error.
private func expectWithinBound(_ output: [UInt8], base: FuseTestMatrix, terms: [FuseTestTerm],
                               accumulation: FuseAccumulation = .double,
                               sourceLocation: SourceLocation = #_sourceLocation) {
    let ulps: Double = accumulation == .double ? 0.5 + 0x1p-20 : (base.dtype == .f32 ? 2 : 0.52)
    let (exact, magnitude) = referenceFuse(base: base, terms: terms)
    let result = FuseTestMatrix.decode(output, base.dtype)
    var worst = 0.0
    for i in exact.indices {
        let error = (result[i] - exact[i]).magnitude
        let allowed: Double
        switch base.dtype {
        case .bf16, .f16:
            allowed = ulps * FuseTestMatrix.ulp(of: exact[i], base.dtype)
        case .f32:
            allowed = ulps * FuseTestMatrix.ulp(of: exact[i], .f32)
        default:
            allowed = 64 * 0x1p-53 * magnitude[i]
        }
        worst = max(worst, error / allowed)
    }
    #expect(worst <= 1, "worst element is \(worst) times the allowed error", sourceLocation: sourceLocation)
}

@Test(arguments: floatTypes, [FuseAccumulation.double, .single])
func fuseWithinBoundForEveryFactorDType(base dtype: DType, accumulation: FuseAccumulation) throws {
    for aType in floatTypes {
        for bType in floatTypes {
            let (base, terms) = randomProblem(base: dtype, a: aType, b: bType, rows: 7, cols: 13,
                                              seed: UInt64(dtype.bitWidth * 31 + aType.bitWidth + bType.bitWidth * 7))
            let output = try fuseTest(base: base, terms: terms, accumulation: accumulation)
            // F64 factors make even `.single` accumulate in F64.
            let used: FuseAccumulation = aType == .f64 || bType == .f64 ? .double : accumulation
            expectWithinBound(output, base: base, terms: terms, accumulation: used)
        }
    }
}

@Test func factorsMayMixDTypesAcrossTerms() throws {
    var (base, terms) = randomProblem(base: .bf16, a: .f16, b: .bf16, rows: 5, cols: 11, seed: 3)
    terms[1].a = FuseTestMatrix(dtype: .f64, rows: terms[1].a.rows, cols: 11, values: terms[1].a.values)
    terms[2].b = FuseTestMatrix(dtype: .f32, rows: 5, cols: terms[2].b.cols, values: terms[2].b.values)
    let output = try fuseTest(base: base, terms: terms)
    expectWithinBound(output, base: base, terms: terms)
}

/// W = -(c * B A) rounded to the dtype, so W + c B A is tiny: F32 accumulation
/// alone rounds such near-cancelling sums the wrong way; F64 gets every one right.
@Test(arguments: [DType.bf16, .f16])
func cancellingSumsAreCorrectlyRounded(dtype: DType) throws {
    var rng = SplitMix64(seed: 42)
    let rows = 48, cols = 40, rank = 16
    let a = FuseTestMatrix(dtype: .f32, rows: rank, cols: cols, deviation: 0.2, using: &rng)
    let b = FuseTestMatrix(dtype: .f32, rows: rows, cols: rank, deviation: 0.2, using: &rng)
    let term = FuseTestTerm(a: a, b: b, coefficient: 0.75)
    let zero = FuseTestMatrix(dtype: dtype, rows: rows, cols: cols, values: Array(repeating: 0, count: rows * cols))
    let delta = referenceFuse(base: zero, terms: [term]).exact
    let base = FuseTestMatrix(dtype: dtype, rows: rows, cols: cols, values: delta.map { -$0 })
    let result = FuseTestMatrix.decode(try fuseTest(base: base, terms: [term]), dtype)
    for (index, exact) in referenceFuse(base: base, terms: [term]).exact.enumerated() {
        #expect(result[index] == nearestEven(exact, dtype), "element \(index): exact \(exact)")
    }
}

@Test func largeMatrixOverManyPanelsAndThreads() throws {
    let (base, terms) = randomProblem(base: .bf16, a: .bf16, b: .bf16, rows: 301, cols: 257, seed: 5)
    for (tuning, accumulation) in [(FuseTuning(panelBytes: 64 << 10, conversionThreads: 2), FuseAccumulation.double),
                                   (FuseTuning(panelBytes: 64 << 10, conversionThreads: 2), .single),
                                   (FuseTuning(panelBytes: 1 << 30, conversionThreads: 3), .double),
                                   (FuseTuning(panelBytes: 1, conversionThreads: 1), .single)] {
        var output = [UInt8](repeating: 0, count: base.bytes.count)
        try base.withOperand { baseOperand in
            try withOperands(terms[...]) { fuseTerms in
                try output.withUnsafeMutableBytes { out in
                    try FuseKernel.fuse(base: baseOperand, terms: fuseTerms, into: out, scratch: nil,
                                        accumulation: accumulation, tuning: tuning)
                }
            }
        }
        expectWithinBound(output, base: base, terms: terms, accumulation: accumulation)
    }
}

@Test(arguments: [FuseAccumulation.double, .single])
func panelWorkersGiveBitIdenticalResults(accumulation: FuseAccumulation) throws {
    // 7 panels of 48 rows shared by 1, 2 and 3 workers, in-place and not.
    let (base, terms) = randomProblem(base: .bf16, a: .f32, b: .bf16, rows: 301, cols: 257, seed: 12)
    func run(workers: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: base.bytes.count)
        var tuning = FuseTuning(panelBytes: 48 * 257 * 8, conversionThreads: 1)
        tuning.panelWorkers = workers
        try base.withOperand { baseOperand in
            try withOperands(terms[...]) { fuseTerms in
                try output.withUnsafeMutableBytes { out in
                    try FuseKernel.fuse(base: baseOperand, terms: fuseTerms, into: out, scratch: FuseScratch(),
                                        accumulation: accumulation, tuning: tuning)
                }
            }
        }
        return output
    }
    let single = try run(workers: 1)
    expectWithinBound(single, base: base, terms: terms, accumulation: accumulation)
    #expect(try run(workers: 2) == single)
    #expect(try run(workers: 3) == single)
}

@Test func scratchIsReusedAcrossCalls() throws {
    let scratch = FuseScratch()
    let (base, terms) = randomProblem(base: .bf16, a: .bf16, b: .bf16, rows: 40, cols: 33, seed: 8)
    let first = try fuseTest(base: base, terms: terms, scratch: scratch)
    let reserved = scratch.reservedByteCount
    #expect(reserved > 0)
    let second = try fuseTest(base: base, terms: terms, scratch: scratch)
    #expect(first == second)
    #expect(scratch.reservedByteCount == reserved)
}

@Test func fuseInPlaceMatchesFuseIntoNewBuffer() throws {
    let (base, terms) = randomProblem(base: .f16, a: .bf16, b: .bf16, rows: 64, cols: 48, seed: 9)
    let expected = try fuseTest(base: base, terms: terms)
    var weights = base.bytes
    try withOperands(terms[...]) { fuseTerms in
        try weights.withUnsafeMutableBytes { buffer in
            let operand = FuseOperand(dtype: .f16, rows: 64, cols: 48, bytes: UnsafeRawBufferPointer(buffer))
            try FuseKernel.fuse(base: operand, terms: fuseTerms, into: buffer)
        }
    }
    #expect(weights == expected)
}

@Test(arguments: floatTypes)
func noTermsCopiesTheBaseBitExactly(dtype: DType) throws {
    var rng = SplitMix64(seed: 21)
    let size = dtype.bitWidth / 8
    // Random bit patterns: signalling NaNs, subnormals and infinities included.
    let bits = (0..<60).map { _ in rng.next() >> (64 - 8 * size) }
    let base = FuseTestMatrix(dtype: dtype, rows: 6, cols: 10, bitPatterns: bits)
    #expect(try fuseTest(base: base, terms: []) == base.bytes)
    let zeroWeighted = FuseTestTerm(a: FuseTestMatrix(dtype: .f32, rows: 1, cols: 10, values: Array(repeating: .nan, count: 10)),
                                    b: FuseTestMatrix(dtype: .f32, rows: 6, cols: 1, values: Array(repeating: 1, count: 6)),
                                    coefficient: 0)
    #expect(try fuseTest(base: base, terms: [zeroWeighted]) == base.bytes)
}

@Test(arguments: floatTypes)
func nonFiniteBaseValuesPassThrough(dtype: DType) throws {
    let values: [Double] = [.nan, .infinity, -.infinity, 1, -.nan, 0.5]
    let base = FuseTestMatrix(dtype: dtype, rows: 2, cols: 3, values: values)
    let term = FuseTestTerm(a: FuseTestMatrix(dtype: .bf16, rows: 1, cols: 3, values: [0.25, -0.5, 0.125]),
                            b: FuseTestMatrix(dtype: .bf16, rows: 2, cols: 1, values: [1, -1]),
                            coefficient: 0.5)
    let result = FuseTestMatrix.decode(try fuseTest(base: base, terms: [term]), dtype)
    #expect(result[0].isNaN)
    #expect(result[1] == .infinity)
    #expect(result[2] == -.infinity)
    #expect(result[3] == 1 - 0.5 * 0.25)
    #expect(result[4].isNaN)
    #expect(result[5] == 0.5 - 0.5 * 0.125)
}

/// Values chosen to sit on or next to rounding ties, subnormals and overflow. With a
/// zero base and the term `1 * [1] * values`, the exact result is each value itself.
@Test(arguments: [FuseAccumulation.single, .double])
func roundingIsNearestEvenAtTiesSubnormalsAndOverflow(accumulation: FuseAccumulation) throws {
    let ties: [Double] = [
        1 + 0x1p-8, 1 + 3 * 0x1p-8, -(1 + 0x1p-8), 1 + 0x1p-8 + 0x1p-24,   // BF16 ties and just above
        1 + 0x1p-11, 1 + 3 * 0x1p-11, 1 + 0x1p-11 + 0x1p-23,                 // F16 ties
        0x1p-25, 3 * 0x1p-25, 0x1p-25 + 0x1p-40, 0x1p-14 - 0x1p-25,          // F16 subnormal ties
        65504, 65519.99, 65520, -70000, 0x1p-135, 3.3e38, 1e-45, 0,
    ]
    for dtype in [DType.bf16, .f16] {
        let base = FuseTestMatrix(dtype: dtype, rows: 1, cols: ties.count, values: Array(repeating: 0, count: ties.count))
        let term = FuseTestTerm(a: FuseTestMatrix(dtype: .f32, rows: 1, cols: ties.count, values: ties),
                                b: FuseTestMatrix(dtype: .f32, rows: 1, cols: 1, values: [1]), coefficient: 1)
        let result = FuseTestMatrix.decode(try fuseTest(base: base, terms: [term], accumulation: accumulation), dtype)
        for (value, got) in zip(term.a.values, result) {
            #expect(got.bitPattern == nearestEven(value, dtype).bitPattern, "\(value) as \(dtype)")
        }
    }
}

@Test func coefficientsBeyondFloatRangeStillFuse() throws {
    let base = FuseTestMatrix(dtype: .bf16, rows: 2, cols: 2, values: [1, 2, 3, 4])
    let term = FuseTestTerm(a: FuseTestMatrix(dtype: .f64, rows: 1, cols: 2, values: [0x1p-130, 0]),
                            b: FuseTestMatrix(dtype: .f64, rows: 2, cols: 1, values: [0x1p-100, 0]),
                            coefficient: 0x1p230)
    let result = FuseTestMatrix.decode(try fuseTest(base: base, terms: [term], accumulation: .single), .bf16)
    #expect(result == [2, 2, 3, 4])
}

/// A double-precision value that an F64 -> F32 -> BF16 double rounding gets wrong:
/// just above a BF16 tie, but close enough that F32 rounds it onto the tie.
@Test func doubleAccumulationDoesNotDoubleRound() throws {
    let value = 1 + 0x1p-8 + 0x1p-30
    let base = FuseTestMatrix(dtype: .bf16, rows: 1, cols: 1, values: [0])
    let term = FuseTestTerm(a: FuseTestMatrix(dtype: .f64, rows: 1, cols: 1, values: [value]),
                            b: FuseTestMatrix(dtype: .f64, rows: 1, cols: 1, values: [1]), coefficient: 1)
    let result = FuseTestMatrix.decode(try fuseTest(base: base, terms: [term], accumulation: .double), .bf16)
    #expect(result == [1 + 0x1p-7])
}

/// `value` rounded to `dtype` by brute force: the nearer of the two neighbours, the
/// even one on a tie, infinity past the largest finite value.
private func nearestEven(_ value: Double, _ dtype: DType) -> Double {
    if dtype == .f16 { return Double(Float16(value)) }
    // BF16: 8 significant bits, exponents down to -126 (subnormals below).
    guard value != 0 else { return value }
    let spacing = Double(sign: .plus, exponent: max(Int(value.exponent), -126) - 7, significand: 1)
    let scaled = value / spacing
    let low = scaled.rounded(.down), high = low + 1
    let lowDistance = scaled - low, highDistance = high - scaled
    let even = low.truncatingRemainder(dividingBy: 2) == 0 ? low : high
    let result = (lowDistance < highDistance ? low : lowDistance > highDistance ? high : even) * spacing
    let largest = Double(Float(bitPattern: 0x7F7F_0000))
    return result.magnitude > largest ? Double(sign: result.sign, exponent: 0, significand: .infinity) : result
}

// MARK: Rejected requests

private func expectError(_ kind: FuseError.Kind, mentioning fragments: [String] = [],
                         base: FuseTestMatrix, terms: [FuseTestTerm], outputBytes: Int? = nil,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    var output = [UInt8](repeating: 0x5A, count: outputBytes ?? base.bytes.count)
    let untouched = output
    do {
        try base.withOperand { baseOperand in
            try withOperands(terms[...]) { fuseTerms in
                try output.withUnsafeMutableBytes { try FuseKernel.fuse(base: baseOperand, terms: fuseTerms, into: $0) }
            }
        }
        Issue.record("expected \(kind)", sourceLocation: sourceLocation)
    } catch let error as FuseError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.description.contains(fragment), "\(error) lacks \(fragment)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
    #expect(output == untouched, "output written despite the error", sourceLocation: sourceLocation)
}

private func zeros(_ dtype: DType, _ rows: Int, _ cols: Int) -> FuseTestMatrix {
    FuseTestMatrix(dtype: dtype, rows: rows, cols: cols, values: Array(repeating: 0, count: rows * cols))
}

@Test func shapeMismatchesNameBothShapes() {
    let base = zeros(.bf16, 6, 5)
    expectError(.shapeMismatch, mentioning: ["A is 2x4 BF16", "the base is 6x5 BF16"],
                base: base, terms: [FuseTestTerm(a: zeros(.bf16, 2, 4), b: zeros(.bf16, 6, 2), coefficient: 1)])
    expectError(.shapeMismatch, mentioning: ["B is 5x2 F16", "the base is 6x5 BF16"],
                base: base, terms: [FuseTestTerm(a: zeros(.bf16, 2, 5), b: zeros(.f16, 5, 2), coefficient: 1)])
    expectError(.shapeMismatch, mentioning: ["term 1", "A is 3x5 F32", "B is 6x2 BF16"],
                base: base, terms: [FuseTestTerm(a: zeros(.bf16, 2, 5), b: zeros(.bf16, 6, 2), coefficient: 1),
                                    FuseTestTerm(a: zeros(.f32, 3, 5), b: zeros(.bf16, 6, 2), coefficient: 1)])
}

@Test func badSizesDTypesAndCoefficientsAreRejected() {
    let base = zeros(.bf16, 4, 3)
    let good = FuseTestTerm(a: zeros(.bf16, 2, 3), b: zeros(.bf16, 4, 2), coefficient: 1)
    expectError(.sizeMismatch, mentioning: ["output"], base: base, terms: [good], outputBytes: 23)
    var shortBase = base
    shortBase.bytes.removeLast()
    expectError(.sizeMismatch, mentioning: ["the base"], base: shortBase, terms: [good])
    var longFactor = good
    longFactor.a.bytes += [0, 0]
    expectError(.sizeMismatch, mentioning: ["term 0's A"], base: base, terms: [longFactor])
    expectError(.unsupportedDType, mentioning: ["I8"],
                base: FuseTestMatrix(dtype: .i8, rows: 4, cols: 3, bitPatterns: Array(repeating: 0, count: 12)),
                terms: [good])
    var intFactor = good
    intFactor.b = FuseTestMatrix(dtype: .i16, rows: 4, cols: 2, bitPatterns: Array(repeating: 0, count: 8))
    expectError(.unsupportedDType, mentioning: ["term 0's B", "I16"], base: base, terms: [intFactor])
    for coefficient in [Double.nan, .infinity] {
        var bad = good
        bad.coefficient = coefficient
        expectError(.invalidCoefficient, base: base, terms: [good, bad])
    }
    var negative = base
    negative.rows = -4
    negative.cols = -3
    expectError(.shapeMismatch, mentioning: ["negative"], base: negative, terms: [])
    var huge = base
    huge.cols = Int(Int32.max) + 1
    expectError(.tooLarge, base: huge, terms: [])
}

@Test func overlappingOutputsAreRejected() throws {
    var storage = [UInt8](repeating: 0, count: 64)
    try storage.withUnsafeMutableBytes { memory in
        let base = FuseOperand(dtype: .bf16, rows: 2, cols: 4, bytes: UnsafeRawBufferPointer(rebasing: memory[0..<16]))
        let a = FuseOperand(dtype: .bf16, rows: 1, cols: 4, bytes: UnsafeRawBufferPointer(rebasing: memory[32..<40]))
        let b = FuseOperand(dtype: .bf16, rows: 2, cols: 1, bytes: UnsafeRawBufferPointer(rebasing: memory[40..<44]))
        let term = FuseTerm(a: a, b: b, coefficient: 1)
        #expect(throws: FuseError.self) {
            try FuseKernel.fuse(base: base, terms: [term], into: UnsafeMutableRawBufferPointer(rebasing: memory[8..<24]))
        }
        #expect(throws: FuseError.self) {
            try FuseKernel.fuse(base: base, terms: [term], into: UnsafeMutableRawBufferPointer(rebasing: memory[30..<46]))
        }
        try FuseKernel.fuse(base: base, terms: [term], into: UnsafeMutableRawBufferPointer(rebasing: memory[0..<16]))
        try FuseKernel.fuse(base: base, terms: [term], into: UnsafeMutableRawBufferPointer(rebasing: memory[16..<32]))
    }
}

@Test func emptyMatricesAreFine() throws {
    let base = zeros(.bf16, 0, 5)
    let term = FuseTestTerm(a: zeros(.bf16, 3, 5), b: zeros(.bf16, 0, 3), coefficient: 1)
    #expect(try fuseTest(base: base, terms: [term]).isEmpty)
    let rankZero = FuseTestTerm(a: zeros(.f32, 0, 5), b: zeros(.f32, 4, 0), coefficient: 2)
    let filled = FuseTestMatrix(dtype: .f16, rows: 4, cols: 5, values: (0..<20).map(Double.init))
    #expect(try fuseTest(base: filled, terms: [rankZero]) == filled.bytes)
}

@Test(arguments: floatTypes)
func unalignedOperandsGiveTheSameResult(dtype: DType) throws {
    let (base, terms) = randomProblem(base: .bf16, a: dtype, b: dtype, rows: 9, cols: 10, seed: 13)
    // Every operand one byte past an aligned address, in one shared buffer.
    let term = terms[2]
    var memory = [UInt8](repeating: 0, count: 1)
    var offsets: [Int] = []
    for bytes in [base.bytes, term.a.bytes, term.b.bytes] {
        offsets.append(memory.count)
        memory += bytes + [0]
    }
    var output = [UInt8](repeating: 0, count: base.bytes.count + 1)
    try memory.withUnsafeBytes { raw in
        func view(_ index: Int, _ count: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: raw[offsets[index]..<(offsets[index] + count)])
        }
        let a = FuseOperand(dtype: dtype, rows: term.a.rows, cols: 10, bytes: view(1, term.a.bytes.count))
        let b = FuseOperand(dtype: dtype, rows: 9, cols: term.b.cols, bytes: view(2, term.b.bytes.count))
        let baseOperand = FuseOperand(dtype: .bf16, rows: 9, cols: 10, bytes: view(0, base.bytes.count))
        try output.withUnsafeMutableBytes { out in
            try FuseKernel.fuse(base: baseOperand, terms: [FuseTerm(a: a, b: b, coefficient: term.coefficient)],
                                into: UnsafeMutableRawBufferPointer(rebasing: out[1...]))
        }
    }
    #expect(Array(output[1...]) == (try fuseTest(base: base, terms: [term])))
}
