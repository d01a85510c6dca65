/// Figures of a ``SegmentCache``. Bytes are segment sizes.
public struct SegmentCacheStats: Sendable, Equatable {
    /// Entries held (referenced or cached).
    public var entries = 0
    /// Entries with at least one reference.
    public var referencedEntries = 0
    /// Bytes of entries with at least one reference.
    public var referencedBytes = 0
    /// Bytes of unreferenced entries kept for reuse (the LRU).
    public var cachedBytes = 0
    /// Bytes reserved for segments being built.
    public var reservedBytes = 0
    /// The budget in bytes.
    public var budget = 0
    /// Acquires that found their key.
    public var hits = 0
    /// Acquires that did not (a build followed, or the request failed).
    public var misses = 0
    /// Entries dropped to make room or by an explicit eviction.
    public var evictions = 0

    /// An all-zero record.
    public init() {}
}
