/// The bookkeeping of derived segments (factor sets, fused overlays): reference counts,
/// an LRU of unreferenced segments kept for reuse, and the memory budget.
///
/// Pure: it never builds or frees anything itself; evicted values are returned to the
/// caller, who drops them. Not thread-safe: one owner (the core keeps it under its state
/// lock).
///
/// Accounting: `referencedBytes` (entries with a reference) + `reservedBytes` (segments
/// being built) + `cachedBytes` (unreferenced entries) never exceeds `budget` after a
/// successful ``reserve(_:)``. Bases are not kept here and do not count.
public struct SegmentCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        var value: Value
        var bytes: Int
        var references: Int
        var lastUse: UInt64
    }

    /// The budget in bytes for all entries plus reservations.
    public let budget: Int
    private var entries: [Key: Entry] = [:]
    private var clock: UInt64 = 0
    private var counters = SegmentCacheStats()

    /// An empty cache with `budget` bytes (negative is taken as 0).
    public init(budget: Int) {
        self.budget = max(0, budget)
    }

    /// Takes a reference to the entry for `key` and returns its value (a hit), or returns nil
    /// (a miss): the caller builds the value and ``insert(_:value:bytes:)``s it.
    public mutating func acquire(_ key: Key) -> Value? {
        guard let value = retain(key) else {
            counters.misses += 1
            return nil
        }
        counters.hits += 1
        return value
    }

    /// Takes a reference to the entry for `key` for a request that waited while another
    /// request built it: counted as a hit and a shared build. Returns nil, counting nothing,
    /// when the entry is gone again (its builder released it and it was evicted); the caller
    /// then looks the key up afresh.
    public mutating func acquireShared(_ key: Key) -> Value? {
        guard let value = retain(key) else { return nil }
        counters.hits += 1
        counters.sharedBuilds += 1
        return value
    }

    /// The value for `key` without taking a reference or counting a hit.
    public func peek(_ key: Key) -> Value? { entries[key]?.value }

    /// The number of references held on `key` (0 when absent or unreferenced).
    public func references(_ key: Key) -> Int { entries[key]?.references ?? 0 }

    /// Drops one reference; at zero the entry joins the LRU of cached entries. Releasing a key
    /// that holds no reference does nothing.
    public mutating func release(_ key: Key) {
        guard var entry = entries[key], entry.references > 0 else { return }
        entry.references -= 1
        if entry.references == 0 {
            counters.referencedBytes -= entry.bytes
            counters.cachedBytes += entry.bytes
            clock += 1
            entry.lastUse = clock
        }
        entries[key] = entry
    }

    /// Reserves `bytes` for a segment about to be built, evicting least recently used
    /// unreferenced entries until everything fits.
    ///
    /// - Returns: the evicted values (drop them outside any lock).
    /// - Throws: ``SegmentBudgetError`` when referenced + reserved + `bytes` exceeds the
    ///   budget; nothing is evicted then.
    public mutating func reserve(_ bytes: Int) throws(SegmentBudgetError) -> [Value] {
        let size = max(0, bytes)
        let pinned = counters.referencedBytes + counters.reservedBytes
        guard size <= budget, pinned <= budget - size else {
            throw SegmentBudgetError(requested: size, inUse: pinned, budget: budget)
        }
        var evicted: [Value] = []
        while pinned + counters.cachedBytes > budget - size, let victim = leastRecentlyUsed() {
            if let value = remove(victim) { evicted.append(value) }
        }
        counters.reservedBytes += size
        return evicted
    }

    /// Returns a reservation whose build failed or was abandoned.
    public mutating func cancelReservation(_ bytes: Int) {
        counters.reservedBytes = max(0, counters.reservedBytes - max(0, bytes))
    }

    /// Stores a value built under a reservation of `bytes`, holding one reference to it, and
    /// turns the reservation into the entry.
    ///
    /// When `key` was inserted meanwhile, the existing entry wins: it gains the reference, the
    /// reservation is returned, and `inserted` is false (drop your value). The daemon core
    /// builds each key once at a time (see `CoreState.claimSegment`), so for it this is a
    /// safety net, not a path it takes.
    /// - Returns: the value now cached under `key` and whether it is the one given.
    public mutating func insert(_ key: Key, value: Value, bytes: Int) -> (value: Value, inserted: Bool) {
        cancelReservation(bytes)
        if let existing = retain(key) { return (existing, false) }
        entries[key] = Entry(value: value, bytes: max(0, bytes), references: 1, lastUse: clock)
        counters.referencedBytes += max(0, bytes)
        return (value, true)
    }

    /// Drops every unreferenced entry (the admin EVICT request).
    /// - Returns: the evicted values and their total bytes.
    public mutating func evictUnreferenced() -> (values: [Value], bytes: Int) {
        let victims = entries.filter { $0.value.references == 0 }.map(\.key)
        var bytes = 0
        var values: [Value] = []
        for key in victims {
            bytes += entries[key]?.bytes ?? 0
            if let value = remove(key) { values.append(value) }
        }
        return (values, bytes)
    }

    /// The current figures.
    public var stats: SegmentCacheStats {
        var figures = counters
        figures.entries = entries.count
        figures.referencedEntries = entries.values.filter { $0.references > 0 }.count
        figures.budget = budget
        return figures
    }

    /// Takes a reference to `key`'s entry without counting a hit or miss.
    private mutating func retain(_ key: Key) -> Value? {
        guard var entry = entries[key] else { return nil }
        if entry.references == 0 {
            counters.cachedBytes -= entry.bytes
            counters.referencedBytes += entry.bytes
        }
        entry.references += 1
        entries[key] = entry
        return entry.value
    }

    private func leastRecentlyUsed() -> Key? {
        entries.filter { $0.value.references == 0 }.min { $0.value.lastUse < $1.value.lastUse }?.key
    }

    private mutating func remove(_ key: Key) -> Value? {
        guard let entry = entries.removeValue(forKey: key) else { return nil }
        counters.cachedBytes -= entry.bytes
        counters.evictions += 1
        return entry.value
    }
}
