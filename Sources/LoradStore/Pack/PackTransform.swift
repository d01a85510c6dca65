import LoradTensors

/// How a tensor's bytes are rearranged before zstd (byte 13 of a manifest tensor
/// entry; see docs/PACK_FORMAT.md, "Transforms").
///
/// The plane transforms split each component (an element, or for C64 each f32 half)
/// into its bytes and store byte k of every component contiguously as plane k, most
/// significant byte first. Sign and exponent bits vary little between neighbouring
/// weights while mantissa bits are nearly random, so grouping them lets zstd entropy-code
/// the exponent plane tightly and pass the mantissa planes through untouched.
public enum PackTransform: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Bytes stored as they are, in one frame.
    case none = 0
    /// Byte planes: plane k holds byte k (most significant first) of every component.
    case bytePlanes = 1
    /// Each component is first rotated left by one bit (the sign bit moves to the
    /// least significant position), then split as `bytePlanes`. For BF16 and F32 this
    /// puts the whole 8-bit exponent alone in plane 0.
    case rotatedBytePlanes = 2

    /// The number of planes (and zstd frames) this transform makes for `dtype`, or nil
    /// when it does not apply (plane transforms need components of at least 2 bytes).
    public func planeCount(for dtype: DType) -> Int? {
        switch self {
        case .none: return 1
        case .bytePlanes, .rotatedBytePlanes:
            let width = dtype.packComponentWidth
            return width >= 2 ? width : nil
        }
    }

    /// The transform PackWriter chooses when none is given: rotated planes for BF16, F32
    /// and C64 (8-bit exponents), plain planes for F16 and F64, none for everything else.
    public static func preferred(for dtype: DType) -> PackTransform {
        switch dtype {
        case .bf16, .f32, .c64: .rotatedBytePlanes
        case .f16, .f64: .bytePlanes
        default: .none
        }
    }

    /// "none", "byte-planes" or "rotated-byte-planes".
    public var description: String {
        switch self {
        case .none: "none"
        case .bytePlanes: "byte-planes"
        case .rotatedBytePlanes: "rotated-byte-planes"
        }
    }
}
