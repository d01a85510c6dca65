import LoradTensors

/// Certifies the single rounding of an F32-accumulated panel to BF16/F16.
///
/// sgemm's result `s` differs from the exact `W + sum c * B A` by at most
/// `gamma * (|W| + sum |c| * sum_k |b_ik| |a_kj|)` (the classic bound for a sum of
/// `rank + 3` rounded operations per term, whatever order BLAS adds in). When the
/// interval `s +- bound` holds no rounding boundary of the target dtype, rounding
/// `s` gives the same result as rounding the exact value. Otherwise (about 1% of
/// elements with realistic factors, and every element whose terms nearly cancel)
/// the element is recomputed in F64 from the same operands and rounded once from
/// there, which is what makes every BF16/F16 result the correctly rounded value up
/// to the F64 error, far below 0.01 ulp.
///
/// `sum_k |b_ik| |a_kj|` is bounded by `rowSum|B|_i * columnMax|A|_j`, computed
/// once per row and once per job, so the check costs a few operations per element.
struct FuseRefinement {
    /// One term as the refinement reads it (all in F32, exact widenings of the operands).
    struct Term {
        /// A transposed: cols x rank, so one output element reads a contiguous row.
        var aTransposed: UnsafePointer<Float>
        /// max_k |a_kj| for each column j.
        var columnMaxAbsA: UnsafePointer<Float>
        /// B, rows x rank.
        var b: UnsafePointer<Float>
        var rank: Int
        var coefficient: Double
    }

    var terms: [Term]
    var dtype: DType
    var cols: Int
    /// gamma, slightly inflated: (sum over terms of (rank + 3)) * 2^-24 * 1.01.
    var gamma: Float

    init(terms: [Term], dtype: DType, cols: Int) {
        self.terms = terms
        self.dtype = dtype
        self.cols = cols
        let operations = terms.reduce(0) { $0 + $1.rank + 3 }
        gamma = Float(operations) * 0x1p-24 * 1.01
    }

    /// Fixes the elements of rows `firstRow ..< firstRow + height` in `panel` whose
    /// rounding the F32 sum cannot decide; `base` points at the base tensor's bytes.
    func refine(panel: UnsafeMutablePointer<Float>, firstRow: Int, height: Int, base: UnsafeRawPointer) {
        var rowAbsB = [Float](repeating: 0, count: terms.count)
        for row in 0..<height {
            let i = firstRow + row
            for (t, term) in terms.enumerated() {
                var sum: Float = 0
                let bRow = term.b + i * term.rank
                for k in 0..<term.rank { sum += abs(bRow[k]) }
                // Inflate for the rounding of this sum itself.
                rowAbsB[t] = sum * (1 + Float(term.rank) * 0x1p-23) * Float(abs(term.coefficient)) * (1 + 0x1p-20)
            }
            let rowPanel = panel + row * cols
            for j in 0..<cols {
                let s = rowPanel[j]
                guard s.isFinite else { continue }
                let w = baseValue(base, i * cols + j)
                var magnitude = abs(w)
                for (t, term) in terms.enumerated() { magnitude += rowAbsB[t] * term.columnMaxAbsA[j] }
                let bound = gamma * magnitude * 1.0001 + abs(s) * 0x1p-22
                guard bound.isFinite, round(s - bound) != round(s + bound) else { continue }
                rowPanel[j] = exact(w: w, row: i, column: j)
            }
        }
    }

    /// The base element as F32 (exact for BF16/F16).
    @inline(__always)
    private func baseValue(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        let bits = base.loadUnaligned(fromByteOffset: index &* 2, as: UInt16.self)
        return dtype == .bf16 ? ElementConversion.float(bfloat16: bits) : ElementConversion.float(half: bits)
    }

    /// The element rounded to the target dtype.
    @inline(__always)
    private func round(_ value: Float) -> UInt16 {
        dtype == .bf16 ? ElementConversion.bfloat16(value) : ElementConversion.half(value)
    }

    /// W + sum c * (B A)_ij in F64, rounded once to the dtype, returned as the F32
    /// that narrows to exactly that value.
    private func exact(w: Float, row i: Int, column j: Int) -> Float {
        var value = Double(w)
        for term in terms {
            let b = term.b + i * term.rank
            let a = term.aTransposed + j * term.rank
            var dot: Double = 0
            for k in 0..<term.rank { dot += Double(b[k]) * Double(a[k]) }
            value += term.coefficient * dot
        }
        let narrowed = round(ElementConversion.floatRoundedToOdd(value))
        return dtype == .bf16 ? ElementConversion.float(bfloat16: narrowed) : ElementConversion.float(half: narrowed)
    }
}
