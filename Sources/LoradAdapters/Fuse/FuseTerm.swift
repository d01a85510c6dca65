/// One LoRA contribution `coefficient * B * A` to a fused weight.
///
/// `coefficient` is the product of the user's weight and the adapter's scale
/// (`w_i * s_i`, e.g. `0.8 * alpha / r`); it may have any sign and must be finite.
/// A term with coefficient 0 contributes nothing (its factors are not read, so
/// non-finite values in them do not leak into the result).
///
/// Like ``FuseOperand`` the term borrows its factors' memory for the duration of
/// the fuse call and is not `Sendable`.
public struct FuseTerm {
    /// The down projection, r x in (same number of columns as the base).
    public var a: FuseOperand
    /// The up projection, out x r (same number of rows as the base, r columns).
    public var b: FuseOperand
    /// The factor applied to `B * A`: user weight times adapter scale; finite.
    public var coefficient: Double

    /// A term adding `coefficient * b * a` to the base.
    public init(a: FuseOperand, b: FuseOperand, coefficient: Double) {
        self.a = a
        self.b = b
        self.coefficient = coefficient
    }
}
