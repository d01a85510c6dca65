import Testing

@testable import LoradDaemon

/// A stand-in for a segment: the cache never looks inside its values.
private final class Blob: Sendable {
    let name: String
    init(_ name: String) { self.name = name }
}

@Suite struct SegmentCacheTests {
    /// Inserts `key` as a built value of `bytes` (reserve + insert), holding one reference.
    private func add(_ cache: inout SegmentCache<String, Blob>, _ key: String, _ bytes: Int) throws -> [Blob] {
        #expect(cache.acquire(key) == nil)
        let evicted = try cache.reserve(bytes)
        _ = cache.insert(key, value: Blob(key), bytes: bytes)
        return evicted
    }

    @Test func referencesMoveEntriesBetweenHeldAndCached() throws {
        var cache = SegmentCache<String, Blob>(budget: 100)
        _ = try add(&cache, "a", 40)
        #expect(cache.stats.referencedBytes == 40 && cache.stats.cachedBytes == 0 && cache.stats.misses == 1)
        #expect(cache.acquire("a")?.name == "a")
        #expect(cache.references("a") == 2)
        cache.release("a")
        #expect(cache.stats.referencedBytes == 40)
        cache.release("a")
        #expect(cache.stats.referencedBytes == 0 && cache.stats.cachedBytes == 40)
        #expect(cache.stats.entries == 1 && cache.stats.referencedEntries == 0)
        #expect(cache.acquire("a")?.name == "a")
        #expect(cache.stats.hits == 2 && cache.stats.referencedBytes == 40 && cache.stats.cachedBytes == 0)
        cache.release("missing")
        cache.release("a")
        cache.release("a")
        #expect(cache.stats.cachedBytes == 40 && cache.stats.referencedBytes == 0)
    }

    @Test func reserveEvictsLeastRecentlyReleasedFirst() throws {
        var cache = SegmentCache<String, Blob>(budget: 100)
        _ = try add(&cache, "a", 30)
        _ = try add(&cache, "b", 30)
        _ = try add(&cache, "c", 30)
        cache.release("b")
        cache.release("a")
        cache.release("c")
        // 90 cached; 50 more needs two evictions: b then a.
        let evicted = try cache.reserve(50)
        #expect(evicted.map(\.name) == ["b", "a"])
        #expect(cache.peek("c") != nil && cache.peek("a") == nil)
        #expect(cache.stats.reservedBytes == 50 && cache.stats.evictions == 2)
        cache.cancelReservation(50)
        #expect(cache.stats.reservedBytes == 0)
    }

    @Test func aHitRefreshesRecency() throws {
        var cache = SegmentCache<String, Blob>(budget: 60)
        _ = try add(&cache, "a", 30)
        _ = try add(&cache, "b", 30)
        cache.release("a")
        cache.release("b")
        _ = cache.acquire("a")
        cache.release("a")
        #expect(try cache.reserve(30).map(\.name) == ["b"])
    }

    @Test func referencedBytesAreNeverEvicted() throws {
        var cache = SegmentCache<String, Blob>(budget: 100)
        _ = try add(&cache, "held", 60)
        _ = try add(&cache, "idle", 30)
        cache.release("idle")
        #expect(throws: SegmentBudgetError(requested: 50, inUse: 60, budget: 100)) { _ = try cache.reserve(50) }
        // Nothing was evicted by the failed reservation.
        #expect(cache.peek("idle") != nil)
        #expect(try cache.reserve(40).map(\.name) == ["idle"])
    }

    @Test func reservationsCountAgainstTheBudget() throws {
        var cache = SegmentCache<String, Blob>(budget: 100)
        _ = try cache.reserve(70)
        #expect(throws: SegmentBudgetError.self) { _ = try cache.reserve(40) }
        _ = cache.insert("x", value: Blob("x"), bytes: 70)
        #expect(cache.stats.reservedBytes == 0 && cache.stats.referencedBytes == 70)
        #expect(throws: SegmentBudgetError.self) { _ = try cache.reserve(31) }
        #expect(try cache.reserve(30).isEmpty)
    }

    @Test func aSegmentLargerThanTheBudgetIsRefused() {
        var cache = SegmentCache<String, Blob>(budget: 10)
        #expect(throws: SegmentBudgetError.self) { _ = try cache.reserve(11) }
        var empty = SegmentCache<String, Blob>(budget: -5)
        #expect(throws: SegmentBudgetError.self) { _ = try empty.reserve(1) }
    }

    @Test func aRacingInsertKeepsTheFirstValue() throws {
        var cache = SegmentCache<String, Blob>(budget: 100)
        _ = try cache.reserve(10)
        _ = try cache.reserve(10)
        let first = cache.insert("k", value: Blob("first"), bytes: 10)
        let second = cache.insert("k", value: Blob("second"), bytes: 10)
        #expect(first.inserted && !second.inserted)
        #expect(second.value.name == "first")
        #expect(cache.references("k") == 2)
        #expect(cache.stats.referencedBytes == 10 && cache.stats.reservedBytes == 0)
    }

    @Test func aSharedAcquireCountsAHitAndASharedBuild() throws {
        var cache = SegmentCache<String, Blob>(budget: 100)
        #expect(cache.acquireShared("k") == nil)
        #expect(cache.stats.hits == 0 && cache.stats.misses == 0 && cache.stats.sharedBuilds == 0)
        _ = try add(&cache, "k", 10)
        #expect(cache.acquireShared("k")?.name == "k")
        #expect(cache.references("k") == 2)
        #expect(cache.stats.hits == 1 && cache.stats.misses == 1 && cache.stats.sharedBuilds == 1)
        cache.release("k")
        cache.release("k")
        #expect(cache.acquireShared("k")?.name == "k")
        #expect(cache.stats.referencedBytes == 10 && cache.stats.cachedBytes == 0 && cache.stats.sharedBuilds == 2)
    }

    @Test func evictUnreferencedDropsOnlyIdleEntries() throws {
        var cache = SegmentCache<String, Blob>(budget: 1000)
        _ = try add(&cache, "a", 100)
        _ = try add(&cache, "b", 200)
        _ = try add(&cache, "c", 300)
        cache.release("a")
        cache.release("c")
        let (values, bytes) = cache.evictUnreferenced()
        #expect(Set(values.map(\.name)) == ["a", "c"])
        #expect(bytes == 400)
        #expect(cache.stats.entries == 1 && cache.stats.cachedBytes == 0 && cache.stats.referencedBytes == 200)
        cache.release("b")
        #expect(cache.evictUnreferenced().bytes == 200)
        #expect(cache.stats == {
            var expected = SegmentCacheStats()
            expected.budget = 1000
            expected.misses = 3
            expected.evictions = 3
            return expected
        }())
    }
}
