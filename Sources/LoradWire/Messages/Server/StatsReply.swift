/// STATS_REPLY: a snapshot of daemon counters.
///
/// Fields in wire order (PROTOCOL.md): `uptime_ms` u64, `connections` u32, `sessions` u32,
/// `bases_resident` u32, `segments` u32, `segment_bytes` u64, `budget_bytes` u64, `cache_hits` u64,
/// `cache_misses` u64, `adapters` u32, `store_bytes` u64.
public struct StatsReply: WireCodable, Hashable {
    /// Time since the daemon started, in milliseconds.
    public var uptimeMilliseconds: UInt64
    /// Open client connections.
    public var connections: UInt32
    /// Open sessions.
    public var sessions: UInt32
    /// Bases whose segment is in memory.
    public var basesResident: UInt32
    /// Segments alive (referenced or cached).
    public var segments: UInt32
    /// Their total size in bytes.
    public var segmentBytes: UInt64
    /// The configured memory budget for derived segments, in bytes.
    public var budgetBytes: UInt64
    /// Segment requests served from the cache.
    public var cacheHits: UInt64
    /// Segment requests that built a segment.
    public var cacheMisses: UInt64
    /// Adapter names in the catalog.
    public var adapters: UInt32
    /// Bytes of blobs in the store.
    public var storeBytes: UInt64

    /// Creates the payload from its fields.
    public init(
        uptimeMilliseconds: UInt64,
        connections: UInt32,
        sessions: UInt32,
        basesResident: UInt32,
        segments: UInt32,
        segmentBytes: UInt64,
        budgetBytes: UInt64,
        cacheHits: UInt64,
        cacheMisses: UInt64,
        adapters: UInt32,
        storeBytes: UInt64
    ) {
        self.uptimeMilliseconds = uptimeMilliseconds
        self.connections = connections
        self.sessions = sessions
        self.basesResident = basesResident
        self.segments = segments
        self.segmentBytes = segmentBytes
        self.budgetBytes = budgetBytes
        self.cacheHits = cacheHits
        self.cacheMisses = cacheMisses
        self.adapters = adapters
        self.storeBytes = storeBytes
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        uptimeMilliseconds = try reader.u64("uptime_ms")
        connections = try reader.u32("connections")
        sessions = try reader.u32("sessions")
        basesResident = try reader.u32("bases_resident")
        segments = try reader.u32("segments")
        segmentBytes = try reader.u64("segment_bytes")
        budgetBytes = try reader.u64("budget_bytes")
        cacheHits = try reader.u64("cache_hits")
        cacheMisses = try reader.u64("cache_misses")
        adapters = try reader.u32("adapters")
        storeBytes = try reader.u64("store_bytes")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u64(uptimeMilliseconds)
        writer.u32(connections)
        writer.u32(sessions)
        writer.u32(basesResident)
        writer.u32(segments)
        writer.u64(segmentBytes)
        writer.u64(budgetBytes)
        writer.u64(cacheHits)
        writer.u64(cacheMisses)
        writer.u32(adapters)
        writer.u64(storeBytes)
    }
}
