import Dispatch
import Synchronization

/// Runs jobs off the caller's thread on Dispatch, at most `threads` at a time, in
/// submission order (the daemon's heavy requests: decompress, fuse, import, merge, export).
///
/// Jobs submitted with a lane run one at a time in the order they were submitted to that
/// lane (the daemon's lanes: the requests of one session, the store's mutations), while jobs
/// of other lanes and lane-less jobs run beside them. Nothing blocks a thread while waiting:
/// a finished job starts the next one.
public final class JobPool<LaneKey: Hashable & Sendable>: Sendable {
    /// A serial lane of jobs (the pool's generic parameter, named for its users).
    public typealias Lane = LaneKey

    private struct Job: Sendable {
        var lane: Lane?
        var body: @Sendable () -> Void
    }

    private struct State {
        var running = 0
        var ready: [Job] = []
        var readyHead = 0
        /// Lanes with a job running or queued; the value is the lane's backlog.
        var lanes: [Lane: [Job]] = [:]

        mutating func popReady() -> Job? {
            guard readyHead < ready.count else { return nil }
            let job = ready[readyHead]
            readyHead += 1
            if readyHead > 64, readyHead * 2 > ready.count {
                ready.removeFirst(readyHead)
                readyHead = 0
            }
            return job
        }
    }

    /// The most jobs running at once.
    public let threads: Int
    private let state = Mutex(State())
    private let queue: DispatchQueue

    /// A pool running at most `threads` jobs at once (at least 1), on a concurrent queue
    /// named `label`.
    public init(threads: Int, label: String = "lorad.workers") {
        self.threads = max(1, threads)
        queue = DispatchQueue(label: label, attributes: .concurrent)
    }

    /// Queues `body`; with a `lane`, after every job queued earlier on that lane has finished.
    public func submit(lane: Lane? = nil, _ body: @escaping @Sendable () -> Void) {
        let job = Job(lane: lane, body: body)
        let start: [Job] = state.withLock { state in
            if let lane {
                if state.lanes[lane] != nil {
                    state.lanes[lane, default: []].append(job)
                    return []
                }
                state.lanes[lane] = []
            }
            state.ready.append(job)
            return startable(&state)
        }
        start.forEach(run)
    }

    /// Jobs currently queued or running.
    public var pendingCount: Int {
        state.withLock { state in
            state.running + (state.ready.count - state.readyHead) + state.lanes.values.reduce(0) { $0 + $1.count }
        }
    }

    private func run(_ job: Job) {
        queue.async {
            job.body()
            self.finished(job)
        }
    }

    private func finished(_ job: Job) {
        let start: [Job] = state.withLock { state in
            if let lane = job.lane {
                if var backlog = state.lanes[lane], !backlog.isEmpty {
                    state.ready.append(backlog.removeFirst())
                    state.lanes[lane] = backlog
                } else {
                    state.lanes[lane] = nil
                }
            }
            state.running -= 1
            return startable(&state)
        }
        start.forEach(run)
    }

    /// Pops ready jobs while fewer than `threads` run; the caller starts them.
    private func startable(_ state: inout State) -> [Job] {
        var jobs: [Job] = []
        while state.running < threads, let job = state.popReady() {
            state.running += 1
            jobs.append(job)
        }
        return jobs
    }
}
