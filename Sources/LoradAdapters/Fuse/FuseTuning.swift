/// Execution knobs of ``FuseKernel`` that do not change the result.
///
/// Measured on the 2-core development machine (1920x1920 BF16, rank 128, OpenBLAS
/// 0.3.21). The kernel alone, OpenBLAS with 2 threads: panels of 4 to 8 MiB and 2
/// conversion threads were the best for plain F32 and F64 accumulation (1 MiB
/// panels cost F64 about 20%). Whole merges with the certified F32 path: 1 MiB
/// panels 15% faster than 4 MiB, and 2 panel workers with single-threaded BLAS
/// steadier than OpenBLAS's threads, whose idle spinning (`sched_yield`) took up
/// to a third of the CPU time (the merger's default).
struct FuseTuning: Sendable {
    /// Target size of the panel buffer in bytes (at least one row is used).
    /// nil: 1 MiB with F32 accumulation, 4 MiB with F64. Measured with a merge of
    /// 120 BF16 1920x1920 tensors on 2 cores: 1 MiB F32 panels made the certified
    /// path 15% faster than 4 MiB (the rounding pass then reads the panel from L2).
    var panelBytes: Int? = nil

    /// The panel size for an accumulator of `stride` bytes.
    func panelBytes(stride: Int) -> Int {
        panelBytes ?? (stride == 4 ? 1 << 20 : 4 << 20)
    }
    /// Threads sharing the widening and narrowing of a panel.
    var conversionThreads = FuseKernel.defaultConversionThreads
    /// Threads that each run whole panels with single-threaded BLAS; 1 leaves
    /// the GEMM to OpenBLAS's threads.
    var panelWorkers = 1
    /// `.double` on a BF16/F16 base runs sgemm and certifies each rounding
    /// (``CertifiedRounding``) instead of dgemm; false forces dgemm.
    var certifiedSingle = true
}
