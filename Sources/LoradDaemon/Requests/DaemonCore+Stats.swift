import LoradStore
import LoradWire

extension DaemonCore {
    /// STATS: the daemon's figures.
    func stats() throws -> StatsReply {
        let all = try store.list(allVersions: true)
        let names = Set(all.map(\.name)).count
        var blobBytes: [BlobDigest: Int] = [:]
        for record in all { blobBytes[record.blob] = record.packedBytes }
        return state.withLock { state in
            let cache = state.cache.stats
            let resident = state.residentBases
            let baseBytes = resident.reduce(0) { $0 + $1.segment.byteSize }
            return StatsReply(
                uptimeMilliseconds: uptimeMilliseconds, connections: UInt32(clamping: state.connections.count),
                sessions: UInt32(clamping: state.sessions.count), basesResident: UInt32(clamping: resident.count),
                segments: UInt32(clamping: cache.entries + resident.count),
                segmentBytes: UInt64(cache.referencedBytes + cache.cachedBytes + baseBytes),
                budgetBytes: UInt64(cache.budget), cacheHits: UInt64(cache.hits), cacheMisses: UInt64(cache.misses),
                adapters: UInt32(clamping: names), storeBytes: UInt64(blobBytes.values.reduce(0, +)))
        }
    }
}
