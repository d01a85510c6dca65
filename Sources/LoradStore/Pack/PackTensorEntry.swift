import LoradTensors

/// One tensor as the manifest describes it. Sizes are in bytes.
public struct PackTensorEntry: Sendable, Hashable {
    /// The tensor's name (unique in the pack; entries are sorted by its UTF-8 bytes).
    public let name: String
    /// The element type.
    public let dtype: DType
    /// The dimensions; empty for a 0-d (scalar) tensor.
    public let shape: [Int]
    /// The transform applied before compression.
    public let transform: PackTransform
    /// Size of the original (uncompressed, untransformed) bytes:
    /// `dtype.byteCount(elements: shape.product)`.
    public let byteCount: Int
    /// XXH64 (seed 0) of the original bytes.
    public let checksum: UInt64
    /// XXH64 (seed 0) of the tensor's compressed bytes: its frames, which lie back to
    /// back, from the first frame's offset to the end of the last. Checked before zstd
    /// sees them, so damage is caught even where zstd would decode it unchanged (zstd
    /// ignores some reserved bits).
    public let framesChecksum: UInt64
    /// The tensor's zstd frames: one for `.none`, one per plane otherwise, in plane order.
    public let frames: [PackFrame]

    /// Makes an entry; PackReader validates entries before making them.
    public init(
        name: String, dtype: DType, shape: [Int], transform: PackTransform, byteCount: Int,
        checksum: UInt64, framesChecksum: UInt64, frames: [PackFrame]
    ) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.transform = transform
        self.byteCount = byteCount
        self.checksum = checksum
        self.framesChecksum = framesChecksum
        self.frames = frames
    }

    /// Total bytes of the tensor's frames.
    public var compressedByteCount: Int {
        frames.reduce(0) { $0 + $1.byteCount }
    }

    /// The bytes of the pack the tensor's frames occupy.
    public var compressedRange: Range<Int> {
        guard let first = frames.first else { return 0..<0 }
        return first.offset..<(first.offset + compressedByteCount)
    }
}
