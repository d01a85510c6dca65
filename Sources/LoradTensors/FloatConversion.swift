/// Bulk conversion between the stored float dtypes (F64, F32, F16, BF16) and
/// `Float`/`Double` buffers: the hot loops of merges and fusion.
///
/// Stored bytes are little-endian and may be unaligned (they are read with
/// unaligned loads). Narrowing rounds to nearest, ties to even, once (from
/// `Double` too), overflows to infinity and keeps NaN a (quiet) NaN. Widening is
/// exact. The loops are branch-free so the compiler vectorises them.
public enum FloatConversion {
    /// Converts the elements in `source` (of `dtype`) to `Float` in `destination`.
    /// F64 -> F32 rounds to nearest even.
    /// - Throws: ``TensorError/unsupportedDType(_:)`` for a dtype other than
    ///   F64/F32/F16/BF16; ``TensorError/elementCountMismatch(source:destination:)``
    ///   when `source` does not hold exactly `destination.count` elements.
    public static func toFloat32(
        _ source: UnsafeRawBufferPointer, dtype: DType, into destination: UnsafeMutableBufferPointer<Float>
    ) throws(TensorError) {
        let count = try checkedCount(source.count, dtype: dtype, destination: destination.count)
        guard count > 0, let input = source.baseAddress, let output = destination.baseAddress else { return }
        switch dtype {
        case .f32:
            UnsafeMutableRawPointer(output).copyMemory(from: input, byteCount: count * 4)
        case .bf16:
            for i in 0..<count {
                let bits = UInt16(littleEndian: input.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                output[i] = Float(bitPattern: UInt32(bits) << 16)
            }
        case .f16:
            for i in 0..<count {
                let bits = UInt16(littleEndian: input.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                output[i] = Float(bitPattern: floatBits(fromHalfBits: bits))
            }
        default:
            for i in 0..<count {
                output[i] = Float(Double(bitPattern: UInt64(littleEndian: input.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        }
    }

    /// Converts the elements in `source` (of `dtype`) to `Double` in
    /// `destination`; always exact.
    /// - Throws: as ``toFloat32(_:dtype:into:)``.
    public static func toFloat64(
        _ source: UnsafeRawBufferPointer, dtype: DType, into destination: UnsafeMutableBufferPointer<Double>
    ) throws(TensorError) {
        let count = try checkedCount(source.count, dtype: dtype, destination: destination.count)
        guard count > 0, let input = source.baseAddress, let output = destination.baseAddress else { return }
        switch dtype {
        case .f64:
            UnsafeMutableRawPointer(output).copyMemory(from: input, byteCount: count * 8)
        case .f32:
            for i in 0..<count {
                output[i] = Double(Float(bitPattern: UInt32(littleEndian: input.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))
            }
        case .bf16:
            for i in 0..<count {
                let bits = UInt16(littleEndian: input.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                output[i] = Double(Float(bitPattern: UInt32(bits) << 16))
            }
        default:
            for i in 0..<count {
                let bits = UInt16(littleEndian: input.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                output[i] = Double(Float(bitPattern: floatBits(fromHalfBits: bits)))
            }
        }
    }

    /// Converts `source` to elements of `dtype` in `destination`, rounding to
    /// nearest even for F16/BF16.
    /// - Throws: as ``toFloat32(_:dtype:into:)``.
    public static func fromFloat32(
        _ source: UnsafeBufferPointer<Float>, to dtype: DType, into destination: UnsafeMutableRawBufferPointer
    ) throws(TensorError) {
        let count = try checkedCount(destination.count, dtype: dtype, destination: source.count)
        guard count > 0, let input = source.baseAddress, let output = destination.baseAddress else { return }
        switch dtype {
        case .f32:
            output.copyMemory(from: input, byteCount: count * 4)
        case .bf16:
            for i in 0..<count {
                let bits = BFloat16.bits(fromFloatBits: input[i].bitPattern)
                output.storeBytes(of: bits.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
            }
        case .f16:
            for i in 0..<count {
                let bits = halfBits(fromFloatBits: input[i].bitPattern)
                output.storeBytes(of: bits.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
            }
        default:
            for i in 0..<count {
                output.storeBytes(of: Double(input[i]).bitPattern.littleEndian, toByteOffset: 8 * i, as: UInt64.self)
            }
        }
    }

    /// Converts `source` to elements of `dtype` in `destination`, rounding once
    /// to nearest even (never through an intermediate `Float` rounding).
    /// - Throws: as ``toFloat32(_:dtype:into:)``.
    public static func fromFloat64(
        _ source: UnsafeBufferPointer<Double>, to dtype: DType, into destination: UnsafeMutableRawBufferPointer
    ) throws(TensorError) {
        let count = try checkedCount(destination.count, dtype: dtype, destination: source.count)
        guard count > 0, let input = source.baseAddress, let output = destination.baseAddress else { return }
        switch dtype {
        case .f64:
            output.copyMemory(from: input, byteCount: count * 8)
        case .f32:
            for i in 0..<count {
                output.storeBytes(of: Float(input[i]).bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
            }
        case .bf16:
            for i in 0..<count {
                let bits = BFloat16.bits(fromFloatBits: BFloat16.floatBitsRoundedToOdd(input[i]))
                output.storeBytes(of: bits.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
            }
        default:
            for i in 0..<count {
                let bits = halfBits(fromFloatBits: BFloat16.floatBitsRoundedToOdd(input[i]))
                output.storeBytes(of: bits.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
            }
        }
    }

    /// Checks `dtype` is computable and `byteCount` bytes hold exactly
    /// `elements` elements of it; returns `elements`.
    private static func checkedCount(_ byteCount: Int, dtype: DType, destination elements: Int) throws(TensorError) -> Int {
        guard dtype.isComputable else { throw .unsupportedDType(dtype) }
        let size = dtype.bitWidth / 8
        guard byteCount % size == 0, byteCount / size == elements else {
            throw .elementCountMismatch(source: byteCount / size, destination: elements)
        }
        return elements
    }

    /// IEEE binary16 bits -> binary32 bits, exact (NaN payloads kept).
    @inline(__always)
    static func floatBits(fromHalfBits half: UInt16) -> UInt32 {
        let value = UInt32(half)
        let sign = (value & 0x8000) << 16
        let shifted = (value & 0x7FFF) << 13
        let exponent = shifted & 0x0F80_0000
        // Rebias the exponent by 127 - 15.
        let normal = shifted &+ 0x3800_0000
        // Infinity and NaN: rebias once more to reach exponent 255.
        let special = normal &+ 0x3800_0000
        // Subnormal (and zero): let the FPU normalise, 2^-14 * 0.m = (1.m' ...) - 2^-14.
        let subnormal = (Float(bitPattern: normal &+ 0x0080_0000) - Float(bitPattern: 0x3880_0000)).bitPattern
        let magnitude = exponent == 0x0F80_0000 ? special : (exponent == 0 ? subnormal : normal)
        return magnitude | sign
    }

    /// IEEE binary32 bits -> binary16 bits, round to nearest even; overflow
    /// gives infinity; NaN becomes the quiet NaN 0x7E00 with the sign kept.
    @inline(__always)
    static func halfBits(fromFloatBits bits: UInt32) -> UInt16 {
        let sign = bits & 0x8000_0000
        let magnitude = bits ^ sign
        // >= 65536 (2^16): infinity, or NaN.
        let overflow: UInt32 = magnitude > 0x7F80_0000 ? 0x7E00 : 0x7C00
        // Normal half range: rebias the exponent by 15 - 127 and round the 13
        // dropped bits to nearest even (a carry may reach infinity, correctly).
        let odd = (magnitude >> 13) & 1
        let normal = (magnitude &+ 0xC800_0FFF &+ odd) >> 13
        // Below 2^-14: adding 0.5 makes the FPU shift and round the subnormal
        // mantissa to nearest even into the low bits.
        let subnormal = (Float(bitPattern: magnitude) + 0.5).bitPattern &- 0x3F00_0000
        let result = magnitude >= 0x4780_0000 ? overflow : (magnitude < 0x3880_0000 ? subnormal : normal)
        return UInt16(truncatingIfNeeded: result | (sign >> 16))
    }
}
