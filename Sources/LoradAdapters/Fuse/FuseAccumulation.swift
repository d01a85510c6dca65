/// Which precision ``FuseKernel`` accumulates in before its single rounding.
public enum FuseAccumulation: Sendable, Equatable {
    /// F32 (sgemm) for BF16 and F16 bases, whose ulp dwarfs F32 accumulation error
    /// (results within 0.52 ulp of exact); F64 (dgemm) for F32 and F64 bases.
    case automatic
    /// F64 (dgemm) always: about twice the GEMM time, for reference-grade results.
    case double
}
