import LoradTensors

/// The element conversions of the fuse kernel: widening F64/F32/F16/BF16 to the
/// accumulator type and narrowing it back with one round-to-nearest-even.
///
/// Each loop is branch-free over plain integer and float operations so that the
/// optimiser vectorises it for the baseline x86-64 target (SSE2): no per-element
/// library calls (Swift's `Float16` conversions would call `__extendhfsf2` there).
/// Sources are read with unaligned loads: callers pass views of arbitrary files.
/// All pointers are borrowed for the call; `count` elements are read and written.
enum ElementConversion {
    // MARK: Scalars

    /// The F32 value of a BF16 bit pattern (exact).
    @inline(__always)
    static func float(bfloat16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) &<< 16)
    }

    /// The F32 value of an IEEE binary16 bit pattern (exact, branch-free).
    @inline(__always)
    static func float(half bits: UInt16) -> Float {
        let h = UInt32(bits)
        let sign = (h & 0x8000) &<< 16
        let magnitude = h & 0x7FFF
        let shifted = magnitude &<< 13
        let exponent = shifted & 0x0F80_0000
        // Normal numbers: rebias the exponent from 15 to 127.
        let normal = shifted &+ 0x3800_0000
        // Infinity and NaN: exponent 31 becomes 255, payload kept.
        let special = shifted &+ 0x7000_0000
        // Zero and subnormals: magnitude * 2^-24, exact in F32.
        let subnormal = (Float(Int32(bitPattern: magnitude)) * 0x1p-24).bitPattern
        let body = exponent == 0x0F80_0000 ? special : (exponent == 0 ? subnormal : normal)
        return Float(bitPattern: body | sign)
    }

    /// `value` rounded to BF16, to nearest with ties to even; NaN stays NaN (quieted,
    /// sign and leading payload bits kept), overflow becomes infinity.
    @inline(__always)
    static func bfloat16(_ value: Float) -> UInt16 {
        let x = value.bitPattern
        let rounded = (x &+ 0x7FFF &+ ((x &>> 16) & 1)) &>> 16
        let isNaN = Int32(bitPattern: x & 0x7FFF_FFFF) > 0x7F80_0000
        return UInt16(truncatingIfNeeded: isNaN ? (x &>> 16) | 0x0040 : rounded)
    }

    /// `value` rounded to IEEE binary16, to nearest with ties to even, subnormals
    /// included; NaN stays NaN (quieted, sign and leading payload bits kept) and
    /// magnitudes from 65520 up become infinity.
    @inline(__always)
    static func half(_ value: Float) -> UInt16 {
        let x = value.bitPattern
        let sign = (x &>> 16) & 0x8000
        let a = Int32(bitPattern: x & 0x7FFF_FFFF)
        // Normal range: rebias, then add half an F16 ulp minus one plus the kept lsb.
        let odd = (a &>> 13) & 1
        var normal = (a &- 0x3800_0000 &+ 0x0FFF &+ odd) &>> 13
        normal = normal > 0x7C00 ? 0x7C00 : normal
        // Below 2^-14: adding 0.5 makes the FPU round to a multiple of 2^-24.
        let magnitude = Float(bitPattern: UInt32(bitPattern: a))
        let subnormal = Int32(bitPattern: (magnitude + 0.5).bitPattern) &- 0x3F00_0000
        let nan = 0x7E00 | ((a &>> 13) & 0x03FF)
        let body = a > 0x7F80_0000 ? nan : (a < 0x3880_0000 ? subnormal : normal)
        return UInt16(truncatingIfNeeded: UInt32(bitPattern: body) | sign)
    }

    /// `value` rounded to F32 with rounding to odd: exact when representable,
    /// otherwise the neighbour toward zero with its last bit set. Rounding this
    /// result once more to a format with at most 22 significand bits equals rounding
    /// `value` directly, which is how a double accumulator reaches BF16/F16.
    @inline(__always)
    static func floatRoundedToOdd(_ value: Double) -> Float {
        // Branch-free so that narrowing loops vectorise. NaN compares unequal and
        // not greater, so it keeps its (nonzero) payload with the last bit set.
        let nearest = Float(value)
        let back = Double(nearest)
        let inexact: UInt32 = back != value ? 1 : 0
        let roundedAway: UInt32 = back.magnitude > value.magnitude ? 1 : 0
        return Float(bitPattern: (nearest.bitPattern &- roundedAway) | inexact)
    }

    // MARK: Widening

    /// Converts `count` elements of `dtype` at `source` to F32 in `destination`.
    /// F64 is rounded to nearest (the only inexact case); `dtype` must be computable.
    static func widen(_ source: UnsafeRawPointer, _ dtype: DType, count: Int,
                      into destination: UnsafeMutablePointer<Float>) {
        switch dtype {
        case .bf16:
            for i in 0..<count {
                destination[i] = float(bfloat16: source.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self))
            }
        case .f16:
            for i in 0..<count {
                destination[i] = float(half: source.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self))
            }
        case .f32:
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count &* 4)
        case .f64:
            for i in 0..<count {
                destination[i] = Float(source.loadUnaligned(fromByteOffset: i &* 8, as: Double.self))
            }
        default:
            break  // Unreachable: FuseKernel validates dtypes first.
        }
    }

    /// Converts `count` elements of `dtype` at `source` to F64 in `destination`
    /// (always exact); `dtype` must be computable.
    static func widen(_ source: UnsafeRawPointer, _ dtype: DType, count: Int,
                      into destination: UnsafeMutablePointer<Double>) {
        switch dtype {
        case .bf16:
            for i in 0..<count {
                destination[i] = Double(float(bfloat16: source.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self)))
            }
        case .f16:
            for i in 0..<count {
                destination[i] = Double(float(half: source.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self)))
            }
        case .f32:
            for i in 0..<count {
                destination[i] = Double(source.loadUnaligned(fromByteOffset: i &* 4, as: Float.self))
            }
        case .f64:
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count &* 8)
        default:
            break  // Unreachable: FuseKernel validates dtypes first.
        }
    }

    // MARK: Narrowing

    /// Rounds `count` F32 values at `source` once to `dtype` (nearest, ties to even)
    /// and stores them at `destination`; `dtype` must be computable.
    static func narrow(_ source: UnsafePointer<Float>, count: Int,
                       into destination: UnsafeMutableRawPointer, _ dtype: DType) {
        switch dtype {
        case .bf16:
            for i in 0..<count {
                destination.storeBytes(of: bfloat16(source[i]), toByteOffset: i &* 2, as: UInt16.self)
            }
        case .f16:
            for i in 0..<count {
                destination.storeBytes(of: half(source[i]), toByteOffset: i &* 2, as: UInt16.self)
            }
        case .f32:
            destination.copyMemory(from: source, byteCount: count &* 4)
        case .f64:
            for i in 0..<count {
                destination.storeBytes(of: Double(source[i]), toByteOffset: i &* 8, as: Double.self)
            }
        default:
            break  // Unreachable: FuseKernel validates dtypes first.
        }
    }

    /// Rounds `count` F64 values at `source` once to `dtype` (nearest, ties to even;
    /// BF16/F16 through an F32 rounded to odd, which does not double-round) and
    /// stores them at `destination`; `dtype` must be computable.
    static func narrow(_ source: UnsafePointer<Double>, count: Int,
                       into destination: UnsafeMutableRawPointer, _ dtype: DType) {
        switch dtype {
        case .bf16, .f16:
            // Two simple loops over an L1-sized chunk vectorise; one fused loop does not.
            let chunkSize = 1024
            withUnsafeTemporaryAllocation(of: Float.self, capacity: chunkSize) { chunk in
                guard let chunk = chunk.baseAddress else { return }
                var start = 0
                while start < count {
                    let length = min(chunkSize, count - start)
                    for i in 0..<length { chunk[i] = floatRoundedToOdd(source[start &+ i]) }
                    narrow(chunk, count: length, into: destination + start &* 2, dtype)
                    start &+= length
                }
            }
        case .f32:
            for i in 0..<count {
                destination.storeBytes(of: Float(source[i]), toByteOffset: i &* 4, as: Float.self)
            }
        case .f64:
            destination.copyMemory(from: source, byteCount: count &* 8)
        default:
            break  // Unreachable: FuseKernel validates dtypes first.
        }
    }
}
