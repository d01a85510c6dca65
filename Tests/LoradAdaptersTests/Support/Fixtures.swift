import LoradTensors
import LoradTestSupport

/// Paths of the real-library fixtures in Tests/Fixtures (see its SOURCE.md).
enum Fixtures {
    /// The fixture sets: (folder, base dtype, adapter dtype of the diffusers files).
    static let sets = ["cogvideox-tiny-bf16_bf16", "cogvideox-tiny-fp16_fp32"]

    /// Tests/Fixtures.
    static var root: String { RepositoryPaths.fixtures }

    /// A path inside a fixture set.
    static func path(_ set: String, _ relative: String) -> String {
        root + "/" + set + "/" + relative
    }
}

/// Float64 values of a tensor.
func doubles(_ tensor: Tensor) throws -> [Double] {
    var out = [Double](repeating: 0, count: tensor.elementCount)
    try tensor.withUnsafeBytes { raw in
        try out.withUnsafeMutableBufferPointer { try FloatConversion.toFloat64(raw, dtype: tensor.dtype, into: $0) }
    }
    return out
}

/// The spacing of `dtype`'s values in the binade of `x` (one unit in the last place).
func ulp(of x: Double, in dtype: DType) -> Double {
    let mantissaBits: Int
    let minExponent: Int
    switch dtype {
    case .bf16: (mantissaBits, minExponent) = (7, -126)
    case .f16: (mantissaBits, minExponent) = (10, -14)
    case .f32: (mantissaBits, minExponent) = (23, -126)
    default: (mantissaBits, minExponent) = (52, -1022)
    }
    let exponent = x == 0 ? minExponent : max(Int(x.magnitude.exponent), minExponent)
    return Double(sign: .plus, exponent: exponent - mantissaBits, significand: 1)
}
