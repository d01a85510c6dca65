/// Execution knobs of ``FuseKernel`` that do not change the result.
///
/// Measured on the 2-core development machine (1920x1920 BF16, rank 128, OpenBLAS
/// 0.3.21 with 2 threads): panels of 4 to 8 MiB and 2 conversion threads were the
/// best or within noise of it for both F32 and F64 accumulation (1 MiB panels cost
/// F64 about 20%); splitting panels over 2 workers with single-threaded OpenBLAS
/// was no faster, so the GEMM is left to OpenBLAS's own threads.
struct FuseTuning: Sendable {
    /// Target size of the panel buffer in bytes (at least one row is used).
    var panelBytes = 4 << 20
    /// Threads sharing the widening and narrowing of a panel.
    var conversionThreads = FuseKernel.defaultConversionThreads
    /// Threads that each run whole panels with single-threaded BLAS; 1 leaves
    /// the GEMM to OpenBLAS's threads.
    var panelWorkers = 1
    /// `.double` on a BF16/F16 base runs sgemm and certifies each rounding
    /// (``CertifiedRounding``) instead of dgemm; false forces dgemm.
    var certifiedSingle = true
}
