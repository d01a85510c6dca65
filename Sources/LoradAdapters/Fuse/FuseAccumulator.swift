import CBLAS
import LoradTensors

/// A floating-point type the fuse kernel accumulates in (F32 or F64): how to widen
/// operands into it, narrow results out of it, and run the BLAS update on it.
protocol FuseAccumulator: BinaryFloatingPoint, SendableMetatype {
    /// The dtype whose bytes are this type, so operands of it need no conversion.
    static var dtype: DType { get }

    /// Converts `count` elements of `dtype` at `source` into `destination`.
    static func widen(_ source: UnsafeRawPointer, _ dtype: DType, count: Int,
                      into destination: UnsafeMutablePointer<Self>)

    /// Rounds `count` values at `source` once to `dtype` into `destination`.
    static func narrow(_ source: UnsafePointer<Self>, count: Int,
                       into destination: UnsafeMutableRawPointer, _ dtype: DType)

    /// `c += alpha * b * a` with row-major `b` (m x k, leading dimension k),
    /// `a` (k x n, leading dimension n) and `c` (m x n, leading dimension n).
    /// All dimensions are at least 1 and fit in `Int32` (checked by the caller).
    static func accumulateProduct(m: Int, n: Int, k: Int, alpha: Double,
                                  b: UnsafePointer<Self>, a: UnsafePointer<Self>,
                                  c: UnsafeMutablePointer<Self>)
}

extension Float: FuseAccumulator {
    static var dtype: DType { .f32 }

    static func widen(_ source: UnsafeRawPointer, _ dtype: DType, count: Int,
                      into destination: UnsafeMutablePointer<Float>) {
        ElementConversion.widen(source, dtype, count: count, into: destination)
    }

    static func narrow(_ source: UnsafePointer<Float>, count: Int,
                       into destination: UnsafeMutableRawPointer, _ dtype: DType) {
        ElementConversion.narrow(source, count: count, into: destination, dtype)
    }

    static func accumulateProduct(m: Int, n: Int, k: Int, alpha: Double,
                                  b: UnsafePointer<Float>, a: UnsafePointer<Float>,
                                  c: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), Float(alpha),
                    b, Int32(k), a, Int32(n), 1, c, Int32(n))
    }
}

extension Double: FuseAccumulator {
    static var dtype: DType { .f64 }

    static func widen(_ source: UnsafeRawPointer, _ dtype: DType, count: Int,
                      into destination: UnsafeMutablePointer<Double>) {
        ElementConversion.widen(source, dtype, count: count, into: destination)
    }

    static func narrow(_ source: UnsafePointer<Double>, count: Int,
                       into destination: UnsafeMutableRawPointer, _ dtype: DType) {
        ElementConversion.narrow(source, count: count, into: destination, dtype)
    }

    static func accumulateProduct(m: Int, n: Int, k: Int, alpha: Double,
                                  b: UnsafePointer<Double>, a: UnsafePointer<Double>,
                                  c: UnsafeMutablePointer<Double>) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    b, Int32(k), a, Int32(n), 1, c, Int32(n))
    }
}
