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
    /// Acquires served without building: the key was cached, or another request was
    /// building it and the acquire took that build's segment (also counted in
    /// ``sharedBuilds``).
    public var hits = 0
    /// Acquires that found their key neither cached nor being built, so the request built it
    /// (or failed to). A request that waits for another's build counts no miss.
    public var misses = 0
    /// Hits that waited for another request's build of the key instead of building it again.
    public var sharedBuilds = 0
    /// Entries dropped to make room or by an explicit eviction.
    public var evictions = 0

    /// An all-zero record.
    public init() {}
}
