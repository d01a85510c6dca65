import LoradTensors

/// The LoRA fuse kernel: `W' = round_once(W + sum_i c_i * B_i * A_i)`.
///
/// `W` is the base (out x in), each term adds `coefficient * B * A` with `A`
/// (r x in) and `B` (out x r). Every operand may independently be F64, F32, F16
/// or BF16. The sum is accumulated with BLAS in F64 (or, on request, F32 for
/// BF16/F16 bases: see ``FuseAccumulation``) and rounded once, to nearest with
/// ties to even, to the base's dtype, so BF16, F16 and F32 results are the
/// correctly rounded exact value up to the F64 accumulation error. NaN and
/// infinities in `W` pass through.
///
/// Measured choice (1920x1920 BF16, rank 128, 2 cores): dgemm takes 18 ms per
/// tensor on one core, sgemm 9.3 ms. `.double` on BF16/F16 bases therefore runs
/// sgemm and certifies each rounding against the sum's rigorous error bound
/// (`CertifiedRounding`, vector loops in the CFuse C module), recomputing in F64
/// the 4% of elements the bound cannot decide: about 14 ms per tensor of CPU in
/// all against 22 ms for dgemm with its conversions, and the same bytes. A first
/// attempt in plain Swift (SSE2, row-sum times column-max bounds) cost more than
/// dgemm; Cauchy-Schwarz bounds and AVX2 loops made it pay.
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
    ///   - panelWorkers: with more than 1 (at most 16), that many threads each
    ///     fuse whole row panels (conversions and a single-threaded GEMM), and
    ///     `conversionThreads` is unused; OpenBLAS is single-threaded process-wide
    ///     meanwhile (see `BLASThreads`). The result is bit-identical either way.
    /// - Throws: ``FuseError`` for an unsupported dtype, shapes that do not chain,
    ///   a byte count that disagrees with a shape, a non-finite coefficient or an
    ///   overlapping output, always before any output byte is written.
    public static func fuse(base: FuseOperand, terms: [FuseTerm],
                            into output: UnsafeMutableRawBufferPointer,
                            scratch: FuseScratch? = nil,
                            accumulation: FuseAccumulation = .double,
                            conversionThreads: Int = defaultConversionThreads,
                            panelWorkers: Int = 1) throws(FuseError) {
        var tuning = FuseTuning(conversionThreads: min(max(conversionThreads, 1), 16))
        tuning.panelWorkers = min(max(panelWorkers, 1), 16)
        try fuse(base: base, terms: terms, into: output, scratch: scratch, accumulation: accumulation,
                 tuning: tuning)
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
        // F32 only when sound: a 16-bit base, no F64 factor, and every coefficient
        // within F32's range (an sgemm alpha would overflow to infinity); the
        // certified bound also wants them normal.
        let singleFits = (base.dtype == .bf16 || base.dtype == .f16)
            && contributing.allSatisfy { $0.a.dtype != .f64 && $0.b.dtype != .f64 && Float($0.coefficient).isFinite }
        if accumulation == .single, singleFits {
            run(Float.self, base: base, terms: contributing, output: output, scratch: scratch, tuning: tuning)
        } else if accumulation == .double, tuning.certifiedSingle, singleFits,
                  contributing.allSatisfy({ Float($0.coefficient).isNormal }) {
            run(Float.self, base: base, terms: contributing, output: output, scratch: scratch, tuning: tuning, certify: true)
        } else {
            run(Double.self, base: base, terms: contributing, output: output, scratch: scratch, tuning: tuning)
        }
    }

    /// Converts the factors where needed, splits the rows into panels and runs them.
    /// Everything has been validated; the base and output are non-empty.
    private static func run<Accumulator: FuseAccumulator>(
        _: Accumulator.Type, base: FuseOperand, terms: [FuseTerm],
        output: UnsafeMutableRawBufferPointer, scratch: FuseScratch, tuning: FuseTuning, certify: Bool = false
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

        let rowBytes = base.cols * MemoryLayout<Accumulator>.stride
        let panelRows = max(1, min(base.rows, tuning.panelBytes(stride: MemoryLayout<Accumulator>.stride) / rowBytes))
        var job = FuseJob(base: basePointer, output: outputPointer, dtype: base.dtype,
                          rows: base.rows, cols: base.cols, factors: factors,
                          panelRows: panelRows, conversionThreads: tuning.conversionThreads)
        if certify, Accumulator.self == Float.self {
            job.certified = CertifiedRounding(
                base: basePointer, dtype: base.dtype, rows: base.rows, cols: base.cols,
                factors: factors.map { factor in
                    (UnsafeRawPointer(factor.a).assumingMemoryBound(to: Float.self),
                     UnsafeRawPointer(factor.b).assumingMemoryBound(to: Float.self), factor.rank, factor.alpha)
                })
        }
        // One panel buffer per worker: slot 0, then the slots after the converted factors.
        let workers = max(1, min(tuning.panelWorkers, job.panelCount))
        let buffers = (0..<workers).map { worker in
            scratch.buffer(worker == 0 ? 0 : slot + worker - 1, count: panelRows * base.cols, of: Accumulator.self)
        }
        if workers > 1 {
            BLASThreads.withSingleThreaded { job.run(buffers: buffers) }
        } else {
            job.run(buffers: buffers)
        }
    }
}
