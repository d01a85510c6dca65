import Foundation
import LoradWire
import Synchronization
import Testing

@testable import LoradDaemon

/// Single-flight segment builds: requests missing the same key at once build it once.
/// Requests run on their own threads and call ``DaemonCore/acquireSegments(_:token:recipe:)``
/// with the real recipes, wrapped to count builds and to hold a build until the others wait.
@Suite struct DaemonCoreSegmentTests {
    /// The fixture base, `plain` and `meta`, and the fused set [plain 0.7, meta -0.3].
    private struct Setup {
        let harness: CoreHarness
        let base: ResidentBase
        let set: [SessionAdapter]
        var core: DaemonCore { harness.core }

        func keys(_ mode: SessionMode, _ set: [SessionAdapter]? = nil) -> [SegmentKey] {
            Session.segmentKeys(base: base.identity, mode: mode, set: set ?? self.set)
        }

        func build(_ key: SegmentKey) -> SegmentBuild? { core.state.withLock { $0.building[key] } }
    }

    /// The outcome of one request's acquire, filled in by its thread.
    private final class Outcome: Sendable {
        private let slot = Mutex<Result<[Segment], WireError>?>(nil)
        func put(_ result: Result<[Segment], WireError>) { slot.withLock { $0 = result } }
        var result: Result<[Segment], WireError>? { slot.withLock { $0 } }
        var segments: [Segment]? { if case .success(let segments) = result { segments } else { nil } }
        var errorCode: ErrorCode? { if case .failure(let error) = result { error.code } else { nil } }
    }

    /// A shared count.
    private final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func increment() -> Int { value.add(1, ordering: .relaxed).newValue }
        var count: Int { value.load(ordering: .relaxed) }
    }

    /// Counts the builds that reach their `make`.
    private let builds = Counter()

    private func prepared() async throws -> Setup {
        let harness = try CoreHarness()
        try await harness.loadFixtureBase()
        for (fixture, name) in [("diffusers_plain", "plain"), ("diffusers_meta", "meta")] {
            let reply = try await harness.importFixture(fixture, as: name)
            guard case .importAdapter = reply.message else { throw UnexpectedReply(message: reply.message) }
        }
        let base = try harness.core.state.withLock { state throws in try state.readyBase("tiny") }
        let set = try [("plain", 0.7), ("meta", -0.3)].map { name, weight in
            try harness.core.sessionAdapter(AdapterRef(name: name), weight: weight, base: base)
        }
        return Setup(harness: harness, base: base, set: set)
    }

    /// Starts a request acquiring `keys` with `token` on its own thread; `beforeBuild` runs
    /// in each of its builds just before the real one, with the key and the build's number.
    private func start(
        _ setup: Setup, _ keys: [SegmentKey], set: [SessionAdapter]? = nil, token: RequestToken,
        beforeBuild: @escaping @Sendable (SegmentKey, Int) -> Void = { _, _ in }
    ) -> Outcome {
        let outcome = Outcome()
        let (core, base, set) = (setup.core, setup.base, set ?? setup.set)
        let builds = self.builds
        // A thread of its own: libdispatch adds threads for blocked jobs only slowly.
        Thread.detachNewThread {
            let result = Result { () throws(WireError) -> [Segment] in
                do {
                    return try core.acquireSegments(keys, token: token) { key in
                        let real = try core.recipe(key, set: set, base: base, token: token)
                        return SegmentBuild.Recipe(bytes: real.bytes) {
                            beforeBuild(key, builds.increment())
                            return try real.make()
                        }
                    }
                } catch {
                    throw WireError(reporting: error)
                }
            }
            outcome.put(result)
        }
        return outcome
    }

    /// Polls `condition` for up to 10 s on the calling thread.
    @discardableResult
    private static func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<10_000 {
            if condition() { return true }
            usleep(1000)
        }
        return condition()
    }

    /// Waits (without blocking the test's executor) until every outcome is in.
    private func finished(_ outcomes: [Outcome]) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while outcomes.contains(where: { $0.result == nil }), clock.now < deadline {
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(outcomes.allSatisfy { $0.result != nil }, "a request never finished")
    }

    /// Releases `keys` once per outcome that holds them, evicts, and checks the cache is empty.
    private func releaseAndEvict(_ setup: Setup, _ keys: [SegmentKey], holders: Int) async {
        setup.core.state.withLock { state in
            for _ in 0..<holders { state.release(keys) }
        }
        _ = await setup.harness.call(.evict(EvictRequest()))
        let stats = setup.core.segmentStats
        #expect(stats.entries == 0 && stats.referencedBytes == 0 && stats.cachedBytes == 0 && stats.reservedBytes == 0)
        #expect(setup.core.state.withLock { $0.building.isEmpty })
    }

    @Test func requestsMissingTheSameOverlayAtOnceBuildItOnce() async throws {
        let setup = try await prepared()
        let keys = setup.keys(.fused)
        let count = 8
        let before = setup.core.segmentStats
        let outcomes = (0..<count).map { _ in
            start(setup, keys, token: RequestToken(connectionID: 2, requestID: 1)) { key, _ in
                // Hold the build until every other request waits for it.
                Self.eventually { setup.build(key)?.waiting == count - 1 }
            }
        }
        try await finished(outcomes)
        let segments = outcomes.compactMap { $0.segments?.first }
        #expect(segments.count == count)
        #expect(Set(segments.map(\.id)).count == 1)
        #expect(builds.count == 1)
        let stats = setup.core.segmentStats
        #expect(stats.misses - before.misses == 1)
        #expect(stats.hits - before.hits == count - 1)
        #expect(stats.sharedBuilds - before.sharedBuilds == count - 1)
        #expect(stats.entries == 1 && stats.reservedBytes == 0 && stats.referencedBytes == segments[0].byteSize)
        #expect(setup.core.state.withLock { $0.cache.references(keys[0]) } == count)
        await releaseAndEvict(setup, keys, holders: count)
    }

    @Test func aBuilderCancelledMidBuildHandsTheKeyToAWaiter() async throws {
        let setup = try await prepared()
        let keys = setup.keys(.fused)
        let before = setup.core.segmentStats
        let tokens = (0..<2).map { RequestToken(connectionID: 2, requestID: UInt32($0)) }
        let outcomes = tokens.map { token in
            start(setup, keys, token: token) { key, number in
                guard number == 1 else { return }
                // The first build: once the other request waits, its client goes away; the
                // overlay build sees the cancelled token before its first tensor.
                Self.eventually { setup.build(key)?.waiting == 1 }
                token.cancel()
            }
        }
        try await finished(outcomes)
        #expect(outcomes.compactMap(\.errorCode) == [.cancelled])
        let segments = outcomes.compactMap { $0.segments?.first }
        #expect(segments.count == 1)
        #expect(builds.count == 2)
        let stats = setup.core.segmentStats
        #expect(stats.misses - before.misses == 2 && stats.sharedBuilds == before.sharedBuilds)
        #expect(stats.reservedBytes == 0 && stats.referencedEntries == 1)
        #expect(setup.core.state.withLock { $0.cache.references(keys[0]) } == 1)
        await releaseAndEvict(setup, keys, holders: 1)
    }

    @Test func aWaiterCancelledWhileWaitingStopsAndReleasesOnlyWhatItTook() async throws {
        let setup = try await prepared()
        let meta = setup.keys(.factors, [setup.set[1]])
        let both = setup.keys(.factors)
        let builder = RequestToken(connectionID: 2, requestID: 1)
        let waiter = RequestToken(connectionID: 3, requestID: 1)
        let release = Atomic<Bool>(false)
        let builderOutcome = start(setup, meta, set: [setup.set[1]], token: builder) { _, _ in
            Self.eventually { release.load(ordering: .acquiring) }
        }
        #expect(Self.eventually { setup.build(meta[0]) != nil })
        // The waiter builds `plain` itself, then waits for the builder's `meta`.
        let waiting = start(setup, both, token: waiter)
        #expect(Self.eventually { setup.build(meta[0])?.waiting == 1 })
        waiter.cancel()
        try await finished([waiting])
        #expect(waiting.errorCode == .cancelled)
        #expect(builderOutcome.result == nil, "the waiter waited for the build to finish")
        let (plainReferences, metaBuilding) = setup.core.state.withLock { state in
            (state.cache.references(both[0]), state.building[meta[0]] != nil)
        }
        #expect(plainReferences == 0 && metaBuilding)
        release.store(true, ordering: .releasing)
        try await finished([builderOutcome])
        #expect(builderOutcome.segments?.count == 1)
        let stats = setup.core.segmentStats
        #expect(stats.sharedBuilds == 0 && stats.reservedBytes == 0)
        #expect(stats.entries == 2 && stats.referencedEntries == 1)
        #expect(setup.core.state.withLock { $0.cache.references(meta[0]) } == 1)
        await releaseAndEvict(setup, meta, holders: 1)
    }

    @Test func aPackUnderTwoNamesInOneFactorsSetIsBuiltOnce() async throws {
        let setup = try await prepared()
        let reply = try await setup.harness.importFixture("diffusers_plain", as: "plain-again")
        guard case .importAdapter = reply.message else { throw UnexpectedReply(message: reply.message) }
        let twin = try setup.core.sessionAdapter(AdapterRef(name: "plain-again"), weight: 0.5, base: setup.base)
        let set = [setup.set[0], twin]
        let keys = setup.keys(.factors, set)
        #expect(keys[0] == keys[1])
        let before = setup.core.segmentStats
        let outcome = start(setup, keys, set: set, token: RequestToken(connectionID: 2, requestID: 1))
        try await finished([outcome])
        let segments = try #require(outcome.segments)
        #expect(segments.count == 2 && segments[0].id == segments[1].id)
        #expect(builds.count == 1 && setup.core.segmentStats.misses - before.misses == 1)
        #expect(setup.core.state.withLock { $0.cache.references(keys[0]) } == 2)
        await releaseAndEvict(setup, [keys[0]], holders: 2)
    }
}
