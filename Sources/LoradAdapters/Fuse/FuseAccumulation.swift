/// Which precision ``FuseKernel`` accumulates in before its single rounding.
public enum FuseAccumulation: Sendable, Equatable {
    /// Correctly rounded results: F64 (dgemm) for F32 and F64 bases, whose F64
    /// sum is within `(rank + 3) * 2^-53` of `|W| + sum |c||B||A|` of the exact
    /// value and is rounded once (through F32 rounded to odd for BF16/F16), so
    /// results are the correctly rounded value except where the exact value sits
    /// within that distance of a rounding tie, near-cancelling sums included.
    /// BF16 and F16 bases whose factors are not F64 take a faster route to the
    /// same results: an F32 sgemm whose every rounding is proven by a rigorous
    /// error bound, the rest (about 4% of random LoRA data) recomputed in F64
    /// (see `CertifiedRounding`). The default.
    case double
    /// F32 (sgemm) for BF16 and F16 bases without F64 factors (other bases still
    /// use F64): about half the GEMM time, results within 0.52 ulp of exact unless
    /// the terms nearly cancel `W` (the error is then about `rank * 2^-24` of
    /// `|W| + sum |c||B||A|`, like diffusers' and PEFT's F32 merges).
    case single
}
