/// Reader-side caps on what a pack may ask us to allocate. A pack whose manifest
/// exceeds them is rejected by `PackReader.init` before any tensor is decoded.
public struct PackLimits: Sendable, Hashable {
    /// The largest uncompressed tensor, in bytes (default 4 GiB).
    public var maxTensorBytes: Int
    /// The largest sum of uncompressed tensor sizes, in bytes (default 64 GiB): the most
    /// `decompressAll()` can allocate.
    public var maxTotalBytes: Int

    /// Limits with the given caps (defaults: 4 GiB per tensor, 64 GiB in all).
    public init(maxTensorBytes: Int = 1 << 32, maxTotalBytes: Int = 1 << 36) {
        self.maxTensorBytes = maxTensorBytes
        self.maxTotalBytes = maxTotalBytes
    }
}
