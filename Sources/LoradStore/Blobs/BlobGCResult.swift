/// What `BlobStore.gc(keeping:)` removed.
public struct BlobGCResult: Sendable, Hashable {
    /// The unreferenced blobs removed, sorted.
    public var removedBlobs: [BlobDigest] = []
    /// The paths of the temp files removed (left by interrupted writes).
    public var removedTemporaries: [String] = []
    /// Bytes freed by both, in file sizes.
    public var freedBytes: Int = 0

    /// An empty result.
    public init() {}
}
