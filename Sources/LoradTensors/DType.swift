/// An element type of a safetensors tensor, spelled as in the safetensors header.
///
/// Sizes are counted in bits because the spec has sub-byte types (F4, F6_*): a
/// tensor's byte size is `ceil(elements * bitWidth / 8)` and the reference
/// implementation rejects a tensor whose bit count is not a whole number of bytes.
public enum DType: String, CaseIterable, Sendable, Hashable, Codable {
    case bool = "BOOL"
    case f4 = "F4"
    case f6e2m3 = "F6_E2M3"
    case f6e3m2 = "F6_E3M2"
    case u8 = "U8"
    case i8 = "I8"
    case f8e5m2 = "F8_E5M2"
    case f8e4m3 = "F8_E4M3"
    case f8e8m0 = "F8_E8M0"
    case i16 = "I16"
    case u16 = "U16"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case u32 = "U32"
    case f32 = "F32"
    case c64 = "C64"
    case f64 = "F64"
    case i64 = "I64"
    case u64 = "U64"

    /// Bits per element.
    public var bitWidth: Int {
        switch self {
        case .f4: 4
        case .f6e2m3, .f6e3m2: 6
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3, .f8e8m0: 8
        case .i16, .u16, .f16, .bf16: 16
        case .i32, .u32, .f32: 32
        case .c64, .f64, .i64, .u64: 64
        }
    }

    /// The alignment, in bytes, that a tensor of this type wants in a file so that
    /// a zero-copy view of it is naturally aligned (1 for sub-byte types).
    public var alignment: Int { max(1, bitWidth / 8) }

    /// True for the types lorad computes on: F64, F32, F16 and BF16.
    public var isComputable: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16: true
        default: false
        }
    }

    /// True for floating-point types (whose bytes packs split into planes).
    public var isFloatingPoint: Bool {
        switch self {
        case .f4, .f6e2m3, .f6e3m2, .f8e5m2, .f8e4m3, .f8e8m0, .f16, .bf16, .f32, .f64, .c64: true
        default: false
        }
    }

    /// The byte size of `elementCount` elements, or nil when the bit count is not a
    /// whole number of bytes or overflows.
    public func byteCount(elements elementCount: Int) -> Int? {
        let (bits, overflow) = elementCount.multipliedReportingOverflow(by: bitWidth)
        guard !overflow, elementCount >= 0, bits % 8 == 0 else { return nil }
        return bits / 8
    }
}
