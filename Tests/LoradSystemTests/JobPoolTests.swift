import Dispatch
import LoradSystem
import Synchronization
import Testing

@Suite struct JobPoolTests {
    /// Lanes like the daemon's: one per session, one for the store.
    enum Lane: Hashable, Sendable {
        case session(UInt64)
        case store
    }

    /// A pool like the daemon's: lanes as above, owners are uids.
    typealias Pool = JobPool<Lane, UInt32>

    /// Submits `jobs` (lane or nil per job) and waits for all; returns the order jobs started
    /// and finished in, and the most jobs seen running at once.
    private func run(threads: Int, lanes: [Lane?]) async -> (events: [String], peak: Int) {
        let pool = Pool(threads: threads)
        let events = Mutex<[String]>([])
        let running = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let remaining = Atomic<Int>(lanes.count)
            for (index, lane) in lanes.enumerated() {
                pool.submit(lane: lane) {
                    let now = running.add(1, ordering: .acquiringAndReleasing).newValue
                    _ = peak.max(now, ordering: .acquiringAndReleasing)
                    events.withLock { $0.append("start \(index)") }
                    // Give other workers a chance to overlap.
                    for _ in 0..<2000 { _ = DispatchTime.now() }
                    events.withLock { $0.append("end \(index)") }
                    running.subtract(1, ordering: .acquiringAndReleasing)
                    if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { continuation.resume() }
                }
            }
        }
        return (events.withLock { $0 }, peak.load(ordering: .acquiring))
    }

    @Test func aLaneRunsItsJobsOneAtATimeInOrder() async {
        let lane = Lane.session(9)
        let (events, _) = await run(threads: 4, lanes: Array(repeating: lane, count: 12))
        #expect(events == (0..<12).flatMap { ["start \($0)", "end \($0)"] })
    }

    @Test func thePoolNeverRunsMoreThanItsThreads() async {
        let (events, peak) = await run(threads: 2, lanes: Array(repeating: nil, count: 16))
        #expect(peak <= 2)
        #expect(events.count == 32)
    }

    @Test func lanesDoNotBlockEachOther() async {
        let lanes: [Lane?] = [.session(1), .session(2), .store, .session(1), nil, .session(2), .store]
        let (events, _) = await run(threads: 3, lanes: lanes)
        #expect(events.count == 14)
        // Within each lane, order is kept.
        for lane in [Lane.session(1), .session(2), .store] {
            let members = lanes.indices.filter { lanes[$0] == lane }
            let starts = events.filter { $0.hasPrefix("start") }.compactMap { Int($0.dropFirst(6)) }.filter(members.contains)
            #expect(starts == members)
        }
    }

    /// Waits (asynchronously: blocking the test's thread would starve the cooperative pool)
    /// until `condition` holds, at most 10 s.
    private func eventually(_ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// A count jobs bump from pool threads and the test reads.
    private final class Count: Sendable {
        private let atomic = Atomic<Int>(0)
        func bump() { atomic.add(1, ordering: .acquiringAndReleasing) }
        var value: Int { atomic.load(ordering: .acquiring) }
    }

    /// Parks a job of `owner` (nil: none) on `pool` until the returned gate opens (it blocks
    /// a pool thread, never the test's); `started` counts the parked jobs that run.
    private func park(_ pool: Pool, owner: UInt32?, started: Count) -> DispatchSemaphore {
        let gate = DispatchSemaphore(value: 0)
        pool.submit(owner: owner) {
            started.bump()
            gate.wait()
        }
        return gate
    }

    @Test func anOwnerAtItsCapWaitsWithoutAWorkerWhileOthersRun() async throws {
        let pool = Pool(threads: 3, ownerCap: 2)
        let started = Count()
        let gates = (0..<3).map { _ in park(pool, owner: 1000, started: started) }
        #expect(await eventually { started.value == 2 })
        // The third job of uid 1000 is held: two run, one thread stays free.
        try await Task.sleep(for: .milliseconds(200))
        #expect(started.value == 2)
        #expect(pool.runningCount == 2 && pool.pendingCount == 3)
        // Another owner runs on the free thread.
        let other = Count()
        pool.submit(owner: 1001) { other.bump() }
        #expect(await eventually { other.value == 1 })
        // When one of uid 1000's jobs ends, its held job starts.
        gates[0].signal()
        #expect(await eventually { started.value == 3 })
        gates[1].signal()
        gates[2].signal()
        #expect(await eventually { pool.pendingCount == 0 })
    }

    @Test func aCancelledHeldJobStartsAtOnceAndARaisedCapStartsTheRest() async throws {
        let pool = Pool(threads: 4, ownerCap: 1)
        let started = Count()
        let gate = park(pool, owner: 7, started: started)
        #expect(await eventually { started.value == 1 })
        let cancelled = Count(), ran = Count(), later = Count()
        pool.submit(owner: 7, isCancelled: { cancelled.value > 0 }) { ran.bump() }
        pool.submit(owner: 7) { later.bump() }
        try await Task.sleep(for: .milliseconds(200))
        #expect(ran.value == 0)
        cancelled.bump()
        pool.startCancelled()
        #expect(await eventually { ran.value == 1 })
        try await Task.sleep(for: .milliseconds(200))
        #expect(later.value == 0)
        pool.setOwnerCap(2)
        #expect(await eventually { later.value == 1 })
        gate.signal()
        #expect(await eventually { pool.pendingCount == 0 })
    }

    @Test func jobsWithoutAnOwnerAreNotCapped() async {
        let pool = Pool(threads: 2, ownerCap: 1)
        let started = Count()
        let gates = (0..<2).map { _ in park(pool, owner: nil, started: started) }
        #expect(await eventually { started.value == 2 })
        gates.forEach { $0.signal() }
        #expect(await eventually { pool.pendingCount == 0 })
    }

    /// A job's closure, and what it captured, is released once the job has run, not kept in
    /// the ready queue until 64 more jobs have started (a started request kept its context,
    /// descriptors included, and through its reply route the whole core, alive).
    @Test func aFinishedJobReleasesWhatItCaptured() async {
        final class Captured: Sendable {}
        let pool = Pool(threads: 1)
        weak let weakCaptured: Captured?
        let done = Atomic<Bool>(false)
        do {
            let captured = Captured()
            weakCaptured = captured
            pool.submit { withExtendedLifetime(captured) { done.store(true, ordering: .releasing) } }
        }
        #expect(await eventually { done.load(ordering: .acquiring) && pool.pendingCount == 0 })
        #expect(await eventually { weakCaptured == nil })
    }
}
