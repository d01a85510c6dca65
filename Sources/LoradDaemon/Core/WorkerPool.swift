import Dispatch
import Synchronization

/// Runs the core's heavy jobs (decompress, fuse, import, merge, export) off the connection
/// loop, at most `threads` at a time, in submission order.
///
/// Jobs submitted with a ``Lane`` run one at a time in the order they were submitted to that
/// lane (the requests of one session, or the store's mutations), while jobs of other lanes
/// and lane-less jobs run beside them. Nothing blocks a thread while waiting: a finished job
/// starts the next one.
final class WorkerPool: Sendable {
    /// A serial lane of jobs.
    enum Lane: Hashable, Sendable {
        /// The requests naming one session.
        case session(UInt64)
        /// Import, remove and gc: they check the catalog and then change it.
        case store
    }

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
    let threads: Int
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "lorad.workers", attributes: .concurrent)

    /// A pool running at most `threads` jobs at once (at least 1).
    init(threads: Int) {
        self.threads = max(1, threads)
    }

    /// Queues `body`; with a `lane`, after every job queued earlier on that lane has finished.
    func submit(lane: Lane? = nil, _ body: @escaping @Sendable () -> Void) {
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
    var pendingCount: Int {
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
