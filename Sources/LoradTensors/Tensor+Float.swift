extension Tensor {
    /// The elements as `Float`s (F64 rounds to nearest even).
    /// - Throws: ``TensorError/unsupportedDType(_:)`` unless F64/F32/F16/BF16.
    public func floats() throws(TensorError) -> [Float] {
        try elements { (bytes, dtype, buffer) throws(TensorError) in try FloatConversion.toFloat32(bytes, dtype: dtype, into: buffer) }
    }

    /// The elements as `Double`s (exact).
    /// - Throws: ``TensorError/unsupportedDType(_:)`` unless F64/F32/F16/BF16.
    public func doubles() throws(TensorError) -> [Double] {
        try elements { (bytes, dtype, buffer) throws(TensorError) in try FloatConversion.toFloat64(bytes, dtype: dtype, into: buffer) }
    }

    /// A heap tensor of `dtype` and `shape` holding `values` rounded once to `dtype`.
    /// - Throws: ``TensorError`` for an unsupported dtype or a count that does
    ///   not match the shape.
    public init(converting values: [Float], to dtype: DType, shape: [Int]) throws(TensorError) {
        try self.init(converting: values, to: dtype, shape: shape) { (source, dtype, buffer) throws(TensorError) in
            try FloatConversion.fromFloat32(source, to: dtype, into: buffer)
        }
    }

    /// A heap tensor of `dtype` and `shape` holding `values` rounded once to `dtype`.
    /// - Throws: ``TensorError`` for an unsupported dtype or a count that does
    ///   not match the shape.
    public init(converting values: [Double], to dtype: DType, shape: [Int]) throws(TensorError) {
        try self.init(converting: values, to: dtype, shape: shape) { (source, dtype, buffer) throws(TensorError) in
            try FloatConversion.fromFloat64(source, to: dtype, into: buffer)
        }
    }

    private func elements<Element: BinaryFloatingPoint>(
        _ convert: (UnsafeRawBufferPointer, DType, UnsafeMutableBufferPointer<Element>) throws(TensorError) -> Void
    ) throws(TensorError) -> [Element] {
        var result = [Element](repeating: 0, count: elementCount)
        try withUnsafeBytes { (bytes) throws(TensorError) in
            try result.withUnsafeMutableBufferPointer { (buffer) throws(TensorError) in try convert(bytes, dtype, buffer) }
        }
        return result
    }

    private init<Element>(
        converting values: [Element], to dtype: DType, shape: [Int],
        _ convert: (UnsafeBufferPointer<Element>, DType, UnsafeMutableRawBufferPointer) throws(TensorError) -> Void
    ) throws(TensorError) {
        let byteCount = try Tensor.byteCount(dtype: dtype, shape: shape)
        let storage = try TensorStorage(byteCount: byteCount) { (buffer) throws(TensorError) in
            try values.withUnsafeBufferPointer { (source) throws(TensorError) in try convert(source, dtype, buffer) }
        }
        try self.init(dtype: dtype, shape: shape, storage: storage, byteRange: 0..<byteCount)
    }
}
