import LoradTensors

/// The LoRA fuse kernel: `W' = round_once(W + sum_i c_i * B_i * A_i)`.
///
/// `W` is the base (out x in), each term adds `coefficient * B * A` with `A`
/// (r x in) and `B` (out x r). Every operand may independently be F64, F32, F16
/// or BF16. The sum is accumulated in F32 (BF16/F16 bases) or F64 (F32/F64 bases,
/// or on request) with BLAS and rounded once, to nearest with ties to even, to the
/// base's dtype: BF16/F16 results lie within 0.52 ulp of the exact value and F32
/// within 2 ulp, unless the terms nearly cancel `W` (the accumulation error is
/// relative to `|W| + sum |c||B||A|`). NaN and infinities in `W` pass through.
///
/// The kernel is pure and synchronous (no I/O); it blocks its caller and uses
/// OpenBLAS's threads for the GEMM plus `conversionThreads` threads for the
/// element conversions.
public enum FuseKernel {
    /// Threads that widen and narrow a panel when the caller does not say.
    public static let defaultConversionThreads = 2

    /// Writes the fused weight into `output`, in the base's dtype and shape.
    ///
    /// - Parameters:
    ///   - base: `W`, out x in.
    ///   - terms: the LoRA terms, applied in order; none means `output` becomes a
    ///     bit-exact copy of the base. Terms with coefficient 0 are skipped.
    ///   - output: exactly the base's byte count; either disjoint from every operand
    ///     or the base's own buffer (fused in place). No alignment needed.
    ///   - scratch: reusable working memory; nil allocates a temporary one.
    ///   - accumulation: the accumulation precision (see ``FuseAccumulation``).
    ///   - conversionThreads: threads (1...16) sharing the dtype conversions; the
    ///     GEMM is threaded by OpenBLAS whatever this says. Use 1 when the caller
    ///     already runs one fuse per core.
    /// - Throws: ``FuseError`` for an unsupported dtype, shapes that do not chain,
    ///   a byte count that disagrees with a shape, a non-finite coefficient or an
    ///   overlapping output, always before any output byte is written.
    public static func fuse(base: FuseOperand, terms: [FuseTerm],
                            into output: UnsafeMutableRawBufferPointer,
                            scratch: FuseScratch? = nil,
                            accumulation: FuseAccumulation = .automatic,
                            conversionThreads: Int = defaultConversionThreads) throws(FuseError) {
        try fuse(base: base, terms: terms, into: output, scratch: scratch, accumulation: accumulation,
                 tuning: FuseTuning(conversionThreads: min(max(conversionThreads, 1), 16)))
    }

    /// ``fuse(base:terms:into:scratch:accumulation:conversionThreads:)`` with every
    /// execution knob exposed, for benchmarks and tests.
    static func fuse(base: FuseOperand, terms: [FuseTerm],
                     into output: UnsafeMutableRawBufferPointer,
                     scratch: FuseScratch?, accumulation: FuseAccumulation,
                     tuning: FuseTuning) throws(FuseError) {
        let contributing = try validate(base: base, terms: terms, output: output)
        guard !contributing.isEmpty else {
            if let source = base.bytes.baseAddress, let destination = output.baseAddress,
               source != UnsafeRawPointer(destination) {
                destination.copyMemory(from: source, byteCount: base.bytes.count)
            }
            return
        }
        let scratch = scratch ?? FuseScratch()
        // A coefficient beyond F32's range would turn into infinity as an sgemm alpha.
        let coefficientNeedsDouble = contributing.contains { Float($0.coefficient).isInfinite }
        let anyF64Factor = contributing.contains { $0.a.dtype == .f64 || $0.b.dtype == .f64 }
        if accumulation == .double || base.dtype == .f32 || base.dtype == .f64 || anyF64Factor
            || coefficientNeedsDouble {
            run(Double.self, base: base, terms: contributing, output: output, scratch: scratch, tuning: tuning)
        } else {
            run(Float.self, base: base, terms: contributing, output: output, scratch: scratch, tuning: tuning)
        }
    }

    /// Converts the factors where needed, splits the rows into panels and runs them.
    /// Everything has been validated; the base and output are non-empty.
    private static func run<Accumulator: FuseAccumulator>(
        _: Accumulator.Type, base: FuseOperand, terms: [FuseTerm],
        output: UnsafeMutableRawBufferPointer, scratch: FuseScratch, tuning: FuseTuning
    ) {
        guard let basePointer = base.bytes.baseAddress, let outputPointer = output.baseAddress else { return }
        var slot = 1  // Slot 0 is the panel buffer.
        func prepared(_ operand: FuseOperand) -> UnsafePointer<Accumulator>? {
            guard let source = operand.bytes.baseAddress else { return nil }
            let count = operand.rows * operand.cols
            if operand.dtype == Accumulator.dtype,
               Int(bitPattern: source) % MemoryLayout<Accumulator>.alignment == 0 {
                // Only BLAS reads through this pointer.
                return source.assumingMemoryBound(to: Accumulator.self)
            }
            let buffer = scratch.buffer(slot, count: count, of: Accumulator.self)
            slot += 1
            Accumulator.widen(source, operand.dtype, count: count, into: buffer)
            return UnsafePointer(buffer)
        }
        var factors: [FuseJob<Accumulator>.Factors] = []
        for term in terms {
            // Contributing terms have non-empty factors, so both views have an address.
            guard let a = prepared(term.a), let b = prepared(term.b) else { continue }
            factors.append(.init(a: a, b: b, rank: term.a.rows, alpha: term.coefficient))
        }

        var refinement: FuseRefinement?
        if Accumulator.self == Float.self, base.dtype == .bf16 || base.dtype == .f16 {
            refinement = makeRefinement(
                factors: factors.map { (UnsafeRawPointer($0.a).assumingMemoryBound(to: Float.self),
                                        UnsafeRawPointer($0.b).assumingMemoryBound(to: Float.self), $0.rank, $0.alpha) },
                dtype: base.dtype, cols: base.cols, scratch: scratch, firstSlot: slot)
        }

        let rowBytes = base.cols * MemoryLayout<Accumulator>.stride
        let panelRows = max(1, min(base.rows, tuning.panelBytes / rowBytes))
        let job = FuseJob(base: basePointer, output: outputPointer, dtype: base.dtype,
                          rows: base.rows, cols: base.cols, factors: factors, refinement: refinement,
                          panelRows: panelRows, conversionThreads: tuning.conversionThreads)
        job.run(buffer: scratch.buffer(0, count: panelRows * base.cols, of: Accumulator.self))
    }
}

extension FuseKernel {
    /// Transposes each term's A and takes its column maxima for ``FuseRefinement``,
    /// in scratch slots from `firstSlot` on (after the factors' own).
    static func makeRefinement(
        factors: [(a: UnsafePointer<Float>, b: UnsafePointer<Float>, rank: Int, coefficient: Double)],
        dtype: DType, cols: Int, scratch: FuseScratch, firstSlot: Int
    ) -> FuseRefinement {
        var slot = firstSlot
        let terms = factors.map { factor -> FuseRefinement.Term in
            let transposed = scratch.buffer(slot, count: factor.rank * cols, of: Float.self)
            let maxima = scratch.buffer(slot + 1, count: cols, of: Float.self)
            slot += 2
            maxima.initialize(repeating: 0, count: cols)
            for k in 0..<factor.rank {
                let row = factor.a + k * cols
                for j in 0..<cols {
                    let value = row[j]
                    transposed[j * factor.rank + k] = value
                    maxima[j] = max(maxima[j], abs(value))
                }
            }
            return FuseRefinement.Term(aTransposed: transposed, columnMaxAbsA: maxima, b: factor.b,
                                       rank: factor.rank, coefficient: factor.coefficient)
        }
        return FuseRefinement(terms: terms, dtype: dtype, cols: cols)
    }
}

