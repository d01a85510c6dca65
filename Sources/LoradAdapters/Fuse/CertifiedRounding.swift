import CFuse
import LoradTensors

/// Correct rounding of a BF16/F16 fuse from an F32 GEMM: each element of the
/// F32 result is rounded only where a rigorous bound on its error proves that
/// the exact value rounds the same way; the others (about 1% on random LoRA
/// factors, and every near-cancelling or non-finite one) are recomputed in F64.
///
/// The bound. `C = fl32(W + sum_t alpha_t * B_t A_t)`, computed by sgemm with
/// `beta = 1` and `alpha_t = Float(c_t)`, is a tree of at most
/// `N = sum_t (r_t + 3) + 1` roundings along any path (a product, the alpha
/// scaling, the additions, whatever OpenBLAS's blocking), so
/// `|C - exact| <= gamma_N * (|W| + sum_t |alpha_t| * sum_k |b_ik a_kj|) + N * 2^-149`
/// with `gamma_N = N u / (1 - N u)`, `u = 2^-24`, one more `u` covering
/// `alpha_t != c_t`, and the last term covering underflow. Cauchy-Schwarz bounds
/// `sum_k |b_ik a_kj|` by `|row i of B| * |column j of A|` (Euclidean norms), so
/// the bound of a whole row is a vector operation. An element is certified when
/// `|C - x| + bound` is below the distance from `x = round(C)` to its nearest
/// rounding boundary (half an ulp, a quarter below a power of two); then every
/// value within the bound, the exact one included, rounds to `x`.
///
/// Everything is borrowed for the fuse call: the base, the F32 factors
/// (row-major `B`, and `A` transposed here once for the recomputations).
struct CertifiedRounding {
    /// One term's data for bounds and recomputation; plain pointers, so that the
    /// per-element loops touch no reference counts (two threads round at once).
    struct Term {
        /// B, rows x rank, F32 (borrowed from the kernel's prepared factors).
        var b: UnsafePointer<Float>
        /// A transposed: cols x rank, F32 (owned by ``Storage``).
        var transposedA: UnsafePointer<Float>
        var rank: Int
        /// The exact coefficient `c_t` (recomputation uses it, not its F32 rounding).
        var coefficient: Double
        /// `gamma * |alpha_t| * |row i of B|`, rounded up, per base row (``Storage``).
        var rowScale: UnsafePointer<Float>
        /// `|column j of A|`, rounded up, per base column (``Storage``).
        var columnNorm: UnsafePointer<Float>
    }

    /// Owns the buffers the terms point into; freed with the last copy.
    final class Storage: @unchecked Sendable {
        // @unchecked: written only during init, read-only afterwards.
        var buffers: [UnsafeMutablePointer<Float>] = []
        var terms: UnsafeMutableBufferPointer<Term> = .init(start: nil, count: 0)

        func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            buffers.append(buffer)
            return buffer
        }

        deinit {
            for buffer in buffers { buffer.deallocate() }
            terms.deallocate()
        }
    }

    var base: UnsafeRawPointer
    var dtype: DType
    var cols: Int
    let storage: Storage
    var terms: UnsafeBufferPointer<Term> { UnsafeBufferPointer(storage.terms) }
    /// `gamma_N` with a margin for evaluating the bound in F32.
    var gamma: Float
    /// The absolute underflow allowance `N * 2^-149`.
    var absoluteSlack: Float

    /// Prepares bounds for `factors` (F32 copies of A and B, which must outlive
    /// this value) over a base of `rows` x `cols` elements of `dtype` at `base`.
    init(base: UnsafeRawPointer, dtype: DType, rows: Int, cols: Int,
         factors: [(a: UnsafePointer<Float>, b: UnsafePointer<Float>, rank: Int, coefficient: Double)]) {
        self.base = base
        self.dtype = dtype
        self.cols = cols
        let roundings = factors.reduce(1) { $0 + $1.rank + 3 } + 2
        let unit = 0x1p-24
        let gammaN = Double(roundings) * unit / (1 - Double(roundings) * unit)
        // 1.001: covers the F32 evaluation of the bound (a few roundings of 2^-24 each).
        gamma = Float(gammaN * 1.001)
        absoluteSlack = Float(Double(roundings) * 0x1p-149 * 2)
        let up = 1 + 0x1p-20  // Norms are rounded up.
        let storage = Storage()
        storage.terms = .allocate(capacity: factors.count)
        for (index, factor) in factors.enumerated() {
            let rank = factor.rank
            let transposed = storage.allocate(cols * rank)
            let columnNorm = storage.allocate(cols)
            let rowScale = storage.allocate(rows)
            var columnSquares = [Double](repeating: 0, count: cols)
            for k in 0..<rank {
                let row = factor.a + k * cols
                for j in 0..<cols {
                    let value = Double(row[j])
                    columnSquares[j] += value * value
                    transposed[j * rank + k] = row[j]
                }
            }
            for j in 0..<cols { columnNorm[j] = Float(columnSquares[j].squareRoot() * up) }
            let scale = gammaN * Double(Float(factor.coefficient)).magnitude * 1.001
            for i in 0..<rows {
                let row = factor.b + i * rank
                rowScale[i] = Float(scale * cfuse_dot_f32_in_f64(row, row, rank).squareRoot() * up)
            }
            storage.terms.initializeElement(at: index, to: Term(
                b: factor.b, transposedA: transposed, rank: rank, coefficient: factor.coefficient,
                rowScale: rowScale, columnNorm: columnNorm))
        }
        self.storage = storage
    }

    /// Rounds `rowCount` rows of F32 results (`panel`, `cols` per row, base row
    /// `firstRow` first) into the output rows at `output` (the whole output).
    func narrow(_ panel: UnsafePointer<Float>, firstRow: Int, rowCount: Int, into output: UnsafeMutableRawPointer) {
        let terms = self.terms
        withUnsafeTemporaryAllocation(of: Float.self, capacity: terms.count) { scales in
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: terms.count) { norms in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: cols) { failed in
                  withUnsafeTemporaryAllocation(of: UInt16.self, capacity: cols) { rowWeights in
                    guard let scales = scales.baseAddress, let norms = norms.baseAddress,
                          let failed = failed.baseAddress,
                          let weights = rowWeights.baseAddress.map(UnsafeMutableRawPointer.init) else { return }
                    for (t, term) in terms.enumerated() { norms[t] = term.columnNorm }
                    for row in 0..<rowCount {
                        let i = firstRow + row
                        // A copy: the output may be the base itself (fused in place).
                        weights.copyMemory(from: base + i * cols * 2, byteCount: cols * 2)
                        let destination = output + i * cols * 2
                        for (t, term) in terms.enumerated() { scales[t] = term.rowScale[i] }
                        let failures = dtype == .bf16
                            ? cfuse_round_bf16_certified(panel + row * cols, weights, scales, norms, terms.count,
                                                         gamma, absoluteSlack, cols, destination, failed)
                            : roundHalf(panel + row * cols, weights: weights, scales: scales, norms: norms,
                                        into: destination, failed: failed)
                        for f in 0..<failures {
                            recompute(row: i, column: failed[f], weights: weights, into: destination)
                        }
                    }
                  }
                }
            }
        }
    }

    /// The F16 twin of `cfuse_round_bf16_certified` (same arguments, same test; a
    /// Swift loop, as F16 bases are rare): rounds one row to F16 into
    /// `destination`, lists the indices it cannot certify in `failed` and returns
    /// how many.
    private func roundHalf(_ values: UnsafePointer<Float>, weights: UnsafeRawPointer,
                           scales: UnsafePointer<Float>, norms: UnsafePointer<UnsafePointer<Float>?>,
                           into destination: UnsafeMutableRawPointer, failed: UnsafeMutablePointer<Int>) -> Int {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: cols) { bound in
            guard let bound = bound.baseAddress else { return 0 }
            let gamma = self.gamma, slack = absoluteSlack
            for j in 0..<cols {
                let bits = weights.loadUnaligned(fromByteOffset: j &* 2, as: UInt16.self)
                bound[j] = gamma * ElementConversion.float(half: bits & 0x7FFF) + slack
            }
            for t in 0..<terms.count {
                guard let columnNorm = norms[t] else { continue }
                let scale = scales[t]
                for j in 0..<cols { bound[j] += scale * columnNorm[j] }
            }
            var failures = 0
            for j in 0..<cols {
                let value = values[j]
                let bits = ElementConversion.half(value)
                let rounded = ElementConversion.float(half: bits)
                let exponent = Int32((bits &>> 10) & 0x1F)
                // F16 exponent e: half an ulp is 2^(e - 26), F32 biased exponent e + 101.
                let halfGapExponent = exponent &+ ((bits & 0x3FF) == 0 ? 100 : 101)
                let usable = exponent != 0 && exponent != 0x1F
                let halfGap = Float(bitPattern: usable ? UInt32(bitPattern: halfGapExponent) &<< 23 : 0)
                destination.storeBytes(of: bits, toByteOffset: j &* 2, as: UInt16.self)
                if !((value - rounded).magnitude + bound[j] < halfGap * (1 - 0x1p-20)) {
                    failed[failures] = j
                    failures += 1
                }
            }
            return failures
        }
    }

    /// Recomputes one element in F64 (products of F32 values are exact there) and
    /// rounds it once, as the F64 path does.
    private func recompute(row i: Int, column j: Int, weights: UnsafeRawPointer, into destination: UnsafeMutableRawPointer) {
        let bits = weights.loadUnaligned(fromByteOffset: j &* 2, as: UInt16.self)
        var sum = Double(dtype == .bf16 ? ElementConversion.float(bfloat16: bits) : ElementConversion.float(half: bits))
        for term in terms {
            let rank = term.rank
            let dot = cfuse_dot_f32_in_f64(term.b + i * rank, term.transposedA + j * rank, rank)
            sum += term.coefficient * dot
        }
        let narrowed = ElementConversion.floatRoundedToOdd(sum)
        let result = dtype == .bf16 ? ElementConversion.bfloat16(narrowed) : ElementConversion.half(narrowed)
        destination.storeBytes(of: result, toByteOffset: j &* 2, as: UInt16.self)
    }
}
