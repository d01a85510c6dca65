/// Where one zstd frame of a tensor lies in the pack.
public struct PackFrame: Sendable, Hashable {
    /// Byte offset of the frame from the start of the pack.
    public let offset: Int
    /// Length of the frame in bytes.
    public let byteCount: Int

    /// A frame at `offset` of `byteCount` bytes.
    public init(offset: Int, byteCount: Int) {
        self.offset = offset
        self.byteCount = byteCount
    }
}
