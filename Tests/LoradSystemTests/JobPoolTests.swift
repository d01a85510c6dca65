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

    /// Submits `jobs` (lane or nil per job) and waits for all; returns the order jobs started
    /// and finished in, and the most jobs seen running at once.
    private func run(threads: Int, lanes: [Lane?]) async -> (events: [String], peak: Int) {
        let pool = JobPool<Lane>(threads: threads)
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
}
