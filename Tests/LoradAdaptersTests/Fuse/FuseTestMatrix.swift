import Foundation
import LoradAdapters
import LoradTensors
import LoradTestSupport

/// A test matrix: its encoded bytes and the exact value of each element.
struct FuseTestMatrix {
    var dtype: DType
    var rows: Int
    var cols: Int
    var bytes: [UInt8]

    /// Encodes `values` (row-major) in `dtype`; BF16 truncates, the others round.
    init(dtype: DType, rows: Int, cols: Int, values: [Double]) {
        self.dtype = dtype
        self.rows = rows
        self.cols = cols
        bytes = []
        for value in values { bytes += Self.encode(value, dtype) }
    }

    /// A matrix of raw element bit patterns (16-, 32- or 64-bit by dtype).
    init(dtype: DType, rows: Int, cols: Int, bitPatterns: [UInt64]) {
        self.dtype = dtype
        self.rows = rows
        self.cols = cols
        let size = dtype.bitWidth / 8
        bytes = bitPatterns.flatMap { bits in (0..<size).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) } }
    }

    /// Normally distributed values (mean 0, deviation `deviation`), then encoded.
    init(dtype: DType, rows: Int, cols: Int, deviation: Double, using rng: inout SplitMix64) {
        let values = (0..<(rows * cols)).map { _ in
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
            return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2) * deviation
        }
        self.init(dtype: dtype, rows: rows, cols: cols, values: values)
    }

    /// Uniform random values in `range`, then encoded.
    init(dtype: DType, rows: Int, cols: Int, in range: ClosedRange<Double>, using rng: inout SplitMix64) {
        self.init(dtype: dtype, rows: rows, cols: cols,
                  values: (0..<(rows * cols)).map { _ in Double.random(in: range, using: &rng) })
    }

    /// The exact value of every element, row-major.
    var values: [Double] { Self.decode(bytes, dtype) }

    /// Runs `body` with an operand viewing this matrix's bytes.
    func withOperand<R>(_ body: (FuseOperand) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { try body(FuseOperand(dtype: dtype, rows: rows, cols: cols, bytes: $0)) }
    }

    static func encode(_ value: Double, _ dtype: DType) -> [UInt8] {
        let bits: UInt64
        switch dtype {
        case .f64: bits = value.bitPattern
        case .f32: bits = UInt64(Float(value).bitPattern)
        case .f16: bits = UInt64(Float16(value).bitPattern)
        case .bf16: bits = UInt64(Float(value).bitPattern >> 16)
        default: fatalError("test matrices are float")
        }
        return (0..<(dtype.bitWidth / 8)).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
    }

    static func decode(_ bytes: [UInt8], _ dtype: DType) -> [Double] {
        let size = dtype.bitWidth / 8
        return stride(from: 0, to: bytes.count, by: size).map { start in
            var bits: UInt64 = 0
            for i in 0..<size { bits |= UInt64(bytes[start + i]) << (8 * i) }
            switch dtype {
            case .f64: return Double(bitPattern: bits)
            case .f32: return Double(Float(bitPattern: UInt32(bits)))
            case .f16: return Double(Float16(bitPattern: UInt16(bits)))
            default: return Double(Float(bitPattern: UInt32(bits) << 16))
            }
        }
    }

    /// The spacing of `dtype` values at `value` (its unit in the last place).
    static func ulp(of value: Double, _ dtype: DType) -> Double {
        let (significandBits, minExponent): (Int, Int) = switch dtype {
        case .bf16: (7, -126)
        case .f16: (10, -14)
        case .f32: (23, -126)
        default: (52, -1022)
        }
        let exponent = value == 0 ? minExponent : max(Int(value.magnitude.exponent), minExponent)
        return Double(sign: .plus, exponent: exponent - significandBits, significand: 1)
    }
}

/// One term of a test fuse with its own matrices.
struct FuseTestTerm {
    var a: FuseTestMatrix
    var b: FuseTestMatrix
    var coefficient: Double
}

/// Runs `FuseKernel.fuse` on test matrices and returns the output bytes.
func fuseTest(base: FuseTestMatrix, terms: [FuseTestTerm], accumulation: FuseAccumulation = .double,
              scratch: FuseScratch? = nil) throws -> [UInt8] {
    var output = [UInt8](repeating: 0xA5, count: base.bytes.count)
    try base.withOperand { baseOperand in
        try withOperands(terms[...]) { fuseTerms in
            try output.withUnsafeMutableBytes { out in
                try FuseKernel.fuse(base: baseOperand, terms: fuseTerms, into: out, scratch: scratch,
                                    accumulation: accumulation)
            }
        }
    }
    return output
}

/// Calls `body` with the terms as operands (their byte views live for the call).
func withOperands<R>(_ terms: ArraySlice<FuseTestTerm>, _ body: ([FuseTerm]) throws -> R) rethrows -> R {
    guard let first = terms.first else { return try body([]) }
    return try first.a.withOperand { a in
        try first.b.withOperand { b in
            try withOperands(terms.dropFirst()) { rest in
                try body([FuseTerm(a: a, b: b, coefficient: first.coefficient)] + rest)
            }
        }
    }
}

/// The exact fused values (float64) and, per element, `|W| + sum |c||B||A|`.
func referenceFuse(base: FuseTestMatrix, terms: [FuseTestTerm]) -> (exact: [Double], magnitude: [Double]) {
    var exact = base.values
    var magnitude = exact.map(\.magnitude)
    for term in terms {
        let a = term.a.values, b = term.b.values, rank = term.a.rows
        for row in 0..<base.rows {
            for col in 0..<base.cols {
                var sum = 0.0, absSum = 0.0
                for k in 0..<rank {
                    let product = b[row * rank + k] * a[k * base.cols + col]
                    sum += product
                    absSum += product.magnitude
                }
                exact[row * base.cols + col] += term.coefficient * sum
                magnitude[row * base.cols + col] += term.coefficient.magnitude * absSum
            }
        }
    }
    return (exact, magnitude)
}
