/// A typed, shaped view of bytes in a ``TensorStorage``: no copy is made, and
/// many tensors can share one storage (all the tensors of a mapped file).
///
/// Elements are little-endian, row-major (C order), as in safetensors. The
/// bytes may not be aligned for the dtype when the storage is a file written by
/// another tool: read them with unaligned loads.
public struct Tensor: Sendable {
    /// The element type.
    public let dtype: DType
    /// The dimensions, outermost first; `[]` is a scalar (one element).
    public let shape: [Int]
    /// The bytes this tensor is a view of (kept alive by the tensor).
    public let storage: TensorStorage
    /// The tensor's bytes within ``storage``.
    public let byteRange: Range<Int>

    /// Makes a view of `byteRange` in `storage`, checking that the range lies in
    /// the storage and has the size `shape` and `dtype` need.
    /// - Throws: ``TensorError``.
    public init(dtype: DType, shape: [Int], storage: TensorStorage, byteRange: Range<Int>) throws(TensorError) {
        let needed = try Tensor.byteCount(dtype: dtype, shape: shape)
        guard byteRange.lowerBound >= 0, byteRange.upperBound <= storage.count else {
            throw .rangeOutsideStorage(range: byteRange, storageCount: storage.count)
        }
        guard byteRange.count == needed else {
            throw .byteCountMismatch(dtype: dtype, shape: shape, expected: needed, actual: byteRange.count)
        }
        self.dtype = dtype
        self.shape = shape
        self.storage = storage
        self.byteRange = byteRange
    }

    /// Makes a tensor owning a heap copy of `bytes`.
    /// - Throws: ``TensorError`` when `bytes.count` does not match shape and dtype.
    public init(dtype: DType, shape: [Int], bytes: [UInt8]) throws(TensorError) {
        let storage = TensorStorage(copying: bytes)
        try self.init(dtype: dtype, shape: shape, storage: storage, byteRange: 0..<bytes.count)
    }

    /// The number of elements (the product of ``shape``; 1 for a scalar).
    public var elementCount: Int {
        // Checked in init: the product does not overflow.
        shape.reduce(1, *)
    }

    /// The number of bytes.
    public var byteCount: Int { byteRange.count }

    /// Calls `body` with the tensor's bytes, keeping the storage alive meanwhile.
    /// `body` must not keep the pointer.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try storage.withUnsafeBytes { (all) throws(Failure) -> Result in
            try body(UnsafeRawBufferPointer(rebasing: all[byteRange]))
        }
    }

    /// The tensor's bytes as a new array.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The element count of `shape`, or nil when a dimension is negative or the
    /// product overflows.
    public static func elementCount(of shape: [Int]) -> Int? {
        var product = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            product = next
        }
        return product
    }

    /// The byte size of a tensor of `dtype` and `shape`.
    /// - Throws: ``TensorError/invalidShape(_:)`` or ``TensorError/fractionalByteSize(shape:dtype:)``.
    public static func byteCount(dtype: DType, shape: [Int]) throws(TensorError) -> Int {
        guard let elements = elementCount(of: shape) else { throw .invalidShape(shape) }
        guard let bytes = dtype.byteCount(elements: elements) else {
            let overflow = elements.multipliedReportingOverflow(by: dtype.bitWidth).overflow
            throw overflow ? .invalidShape(shape) : .fractionalByteSize(shape: shape, dtype: dtype)
        }
        return bytes
    }
}
