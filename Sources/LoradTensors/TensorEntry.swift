/// One tensor listed in a safetensors header.
public struct TensorEntry: Sendable, Hashable {
    /// The tensor's name (the header key).
    public var name: String
    /// The element type.
    public var dtype: DType
    /// The dimensions, outermost first.
    public var shape: [Int]
    /// The tensor's bytes, relative to the start of the data section (as in
    /// the header's `data_offsets`).
    public var dataOffsets: Range<Int>

    /// Makes an entry.
    public init(name: String, dtype: DType, shape: [Int], dataOffsets: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.dataOffsets = dataOffsets
    }

    /// The number of elements (validated by the parser not to overflow).
    public var elementCount: Int { Tensor.elementCount(of: shape) ?? 0 }

    /// The number of bytes.
    public var byteCount: Int { dataOffsets.count }
}
