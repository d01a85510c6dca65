import LoradTensors

extension DType {
    /// The width in bytes of the unit the plane transforms split: the element for real
    /// types, one f32 half for C64, and 1 for sub-byte and 1-byte types (which the plane
    /// transforms do not apply to).
    var packComponentWidth: Int {
        switch self {
        case .c64: 4
        default: Swift.max(1, bitWidth / 8)
        }
    }

    /// How many leading planes carry exponent bits (and get the strong zstd setting):
    /// two for F64 (an 11-bit exponent), one otherwise.
    var packExponentPlaneCount: Int {
        self == .f64 ? 2 : 1
    }
}
