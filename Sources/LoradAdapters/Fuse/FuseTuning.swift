/// Execution knobs of ``FuseKernel`` that do not change the result: how rows are
/// split into panels and how many threads share the work.
struct FuseTuning: Sendable {
    /// Target size of one worker's panel buffer, in bytes (at least one row).
    var panelBytes = 1 << 20
    /// Worker threads, each running whole panels (GEMM included) on its own buffer.
    var workers = 1
    /// Threads sharing the conversions of a panel when there is a single worker.
    var conversionThreads = 2
}
