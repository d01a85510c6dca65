extension Tensor {
    /// The first NaN or infinite element (flat row-major index), or nil when every element
    /// is finite. Reads the bytes in place at memory speed (see ``NonFiniteScan``).
    /// - Throws: ``TensorError/unsupportedDType(_:)`` unless F64, F32, F16 or BF16.
    public func firstNonFiniteElement() throws(TensorError) -> NonFiniteElement? {
        try withUnsafeBytes { (bytes) throws(TensorError) in try NonFiniteScan.first(in: bytes, dtype: dtype) }
    }
}
