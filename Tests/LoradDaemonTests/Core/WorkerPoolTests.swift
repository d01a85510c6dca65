import Dispatch
import Synchronization
import Testing

@testable import LoradDaemon

@Suite struct WorkerPoolTests {
    /// Submits `jobs` (lane or nil per job) and waits for all; returns the order jobs started
    /// and finished in, and the most jobs seen running at once.
    private func run(threads: Int, lanes: [WorkerPool.Lane?]) async -> (events: [String], peak: Int) {
        let pool = WorkerPool(threads: threads)
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
        let lane = WorkerPool.Lane.session(9)
        let (events, _) = await run(threads: 4, lanes: Array(repeating: lane, count: 12))
        #expect(events == (0..<12).flatMap { ["start \($0)", "end \($0)"] })
    }

    @Test func thePoolNeverRunsMoreThanItsThreads() async {
        let (events, peak) = await run(threads: 2, lanes: Array(repeating: nil, count: 16))
        #expect(peak <= 2)
        #expect(events.count == 32)
    }

    @Test func lanesDoNotBlockEachOther() async {
        let lanes: [WorkerPool.Lane?] = [.session(1), .session(2), .store, .session(1), nil, .session(2), .store]
        let (events, _) = await run(threads: 3, lanes: lanes)
        #expect(events.count == 14)
        // Within each lane, order is kept.
        for lane in [WorkerPool.Lane.session(1), .session(2), .store] {
            let members = lanes.indices.filter { lanes[$0] == lane }
            let starts = events.filter { $0.hasPrefix("start") }.compactMap { Int($0.dropFirst(6)) }.filter(members.contains)
            #expect(starts == members)
        }
    }

    /// Parks a job of `owner` on `pool` until the returned gate opens; `started` is signalled
    /// when it runs.
    private func park(_ pool: WorkerPool, owner: UInt32, started: DispatchSemaphore) -> DispatchSemaphore {
        let gate = DispatchSemaphore(value: 0)
        pool.submit(owner: owner) {
            started.signal()
            gate.wait()
        }
        return gate
    }

    @Test func theOwnerCapIsThreadsMinusOneUnlessConfigured() {
        #expect(WorkerPool.ownerCap(configured: 0, threads: 8) == 7)
        #expect(WorkerPool.ownerCap(configured: 0, threads: 1) == 1)
        #expect(WorkerPool.ownerCap(configured: 3, threads: 8) == 3)
        #expect(WorkerPool.ownerCap(configured: 16, threads: 8) == 16)
    }

    @Test func anOwnerAtItsCapWaitsWithoutAWorkerWhileOthersRun() async {
        let pool = WorkerPool(threads: 3, ownerCap: 2)
        let started = DispatchSemaphore(value: 0)
        let gates = (0..<3).map { _ in park(pool, owner: 1000, started: started) }
        started.wait()
        started.wait()
        // The third job of uid 1000 is held: two run, one thread stays free.
        #expect(started.wait(timeout: .now() + .milliseconds(200)) == .timedOut)
        #expect(pool.runningCount == 2 && pool.pendingCount == 3)
        // Another owner runs on the free thread.
        let other = DispatchSemaphore(value: 0)
        pool.submit(owner: 1001) { other.signal() }
        #expect(other.wait(timeout: .now() + .seconds(10)) == .success)
        // When one of uid 1000's jobs ends, its held job starts.
        gates[0].signal()
        #expect(started.wait(timeout: .now() + .seconds(10)) == .success)
        gates[1].signal()
        gates[2].signal()
        while pool.pendingCount > 0 { await Task.yield() }
    }

    @Test func aCancelledHeldJobStartsAtOnceAndARaisedCapStartsTheRest() async {
        let pool = WorkerPool(threads: 4, ownerCap: 1)
        let started = DispatchSemaphore(value: 0)
        let gate = park(pool, owner: 7, started: started)
        started.wait()
        let cancelled = Atomic<Bool>(false)
        let ran = DispatchSemaphore(value: 0)
        pool.submit(owner: 7, isCancelled: { cancelled.load(ordering: .acquiring) }) { ran.signal() }
        let later = DispatchSemaphore(value: 0)
        pool.submit(owner: 7) { later.signal() }
        #expect(ran.wait(timeout: .now() + .milliseconds(200)) == .timedOut)
        cancelled.store(true, ordering: .releasing)
        pool.startCancelled()
        #expect(ran.wait(timeout: .now() + .seconds(10)) == .success)
        #expect(later.wait(timeout: .now() + .milliseconds(200)) == .timedOut)
        pool.setOwnerCap(2)
        #expect(later.wait(timeout: .now() + .seconds(10)) == .success)
        gate.signal()
        while pool.pendingCount > 0 { await Task.yield() }
    }

    @Test func jobsWithoutAnOwnerAreNotCapped() async {
        let pool = WorkerPool(threads: 2, ownerCap: 1)
        let started = DispatchSemaphore(value: 0)
        let gates = (0..<2).map { _ in
            let gate = DispatchSemaphore(value: 0)
            pool.submit {
                started.signal()
                gate.wait()
            }
            return gate
        }
        #expect(started.wait(timeout: .now() + .seconds(10)) == .success)
        #expect(started.wait(timeout: .now() + .seconds(10)) == .success)
        gates.forEach { $0.signal() }
        while pool.pendingCount > 0 { await Task.yield() }
    }
}
