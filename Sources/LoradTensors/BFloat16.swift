/// A bfloat16 value: the top 16 bits of an IEEE binary32 (1 sign, 8 exponent,
/// 7 mantissa bits), stored as its bit pattern.
///
/// Conversions from `Float` and `Double` round to nearest, ties to even, once;
/// overflow gives infinity as IEEE does; NaN stays NaN (made quiet, sign kept).
/// Conversion to `Float`/`Double` is exact.
public struct BFloat16: Sendable, Hashable, CustomStringConvertible {
    /// The 16 bits, as stored in a safetensors BF16 tensor (little-endian on disk).
    public var bitPattern: UInt16

    /// Wraps a bit pattern.
    public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    /// Rounds `value` to the nearest bfloat16 (ties to even).
    public init(_ value: Float) { bitPattern = BFloat16.bits(fromFloatBits: value.bitPattern) }

    /// Rounds `value` to the nearest bfloat16 (ties to even) in one step: no
    /// double rounding through `Float`.
    public init(_ value: Double) {
        bitPattern = BFloat16.bits(fromFloatBits: BFloat16.floatBitsRoundedToOdd(value))
    }

    /// The exact value as a `Float`.
    public var float: Float { Float(bitPattern: UInt32(bitPattern) << 16) }

    /// The exact value as a `Double`.
    public var double: Double { Double(float) }

    /// True for NaN.
    public var isNaN: Bool { bitPattern & 0x7FFF > 0x7F80 }

    /// The value as a decimal number.
    public var description: String { float.description }

    /// Float bits -> bfloat16 bits, round to nearest even; NaN made quiet.
    @inline(__always)
    static func bits(fromFloatBits bits: UInt32) -> UInt16 {
        let isNaN = bits & 0x7FFF_FFFF > 0x7F80_0000
        let rounded = (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16
        let quiet = (bits >> 16) | 0x0040
        return UInt16(truncatingIfNeeded: isNaN ? quiet : rounded)
    }

    /// `value` rounded to `Float` with round-to-odd (truncate, then set the
    /// lowest bit if anything was lost), as bits. Rounding that result to a
    /// format with at least 2 fewer significand bits (bfloat16, binary16) with
    /// ties-to-even equals rounding `value` directly: one rounding, not two.
    @inline(__always)
    static func floatBitsRoundedToOdd(_ value: Double) -> UInt32 {
        let nearest = Float(value)
        let back = Double(nearest)
        var bits = nearest.bitPattern
        // Rounded away from zero: step one unit toward zero (truncation).
        bits = back.magnitude > value.magnitude ? bits &- 1 : bits
        return back != value ? bits | 1 : bits
    }
}
