/// A tensor that cannot be built or converted as asked.
public enum TensorError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// A dimension is negative or the element count overflows `Int`.
    case invalidShape([Int])
    /// The element count times the bit width is not a whole number of bytes.
    case fractionalByteSize(shape: [Int], dtype: DType)
    /// The bytes given do not have the size the shape and dtype need.
    case byteCountMismatch(dtype: DType, shape: [Int], expected: Int, actual: Int)
    /// The byte range lies outside the storage.
    case rangeOutsideStorage(range: Range<Int>, storageCount: Int)
    /// The dtype is not one lorad computes on (F64, F32, F16, BF16).
    case unsupportedDType(DType)
    /// Source and destination of a conversion hold different element counts.
    case elementCountMismatch(source: Int, destination: Int)

    /// One line saying what was wrong.
    public var description: String {
        switch self {
        case .invalidShape(let shape):
            "invalid tensor shape \(shape): dimensions must be >= 0 and their product must fit in 64 bits"
        case .fractionalByteSize(let shape, let dtype):
            "tensor of shape \(shape) and dtype \(dtype.rawValue) is not a whole number of bytes"
        case .byteCountMismatch(let dtype, let shape, let expected, let actual):
            "tensor of shape \(shape) and dtype \(dtype.rawValue) needs \(expected) bytes, got \(actual)"
        case .rangeOutsideStorage(let range, let storageCount):
            "tensor bytes \(range.lowerBound)..<\(range.upperBound) lie outside its storage of \(storageCount) bytes"
        case .unsupportedDType(let dtype):
            "unsupported dtype for arithmetic: \(dtype.rawValue) (lorad computes on F64, F32, F16 and BF16 only)"
        case .elementCountMismatch(let source, let destination):
            "conversion of \(source) elements into a buffer of \(destination) elements"
        }
    }
}
