import Dispatch
import Synchronization

/// Runs jobs off the caller's thread on Dispatch, at most `threads` at a time, in
/// submission order (the daemon's heavy requests: decompress, fuse, import, merge, export).
///
/// Jobs submitted with a lane run one at a time in the order they were submitted to that
/// lane (the daemon's lanes: the requests of one session, the store's mutations), while jobs
/// of other lanes and lane-less jobs run beside them. Jobs submitted with an owner (the
/// daemon's: the peer's uid) count against that owner's cap (``ownerCap``): an owner never
/// has more jobs running, or queued ready to run, than the cap; its further jobs wait in a
/// queue of their own, holding no thread, and join the ready queue (at its end) as its
/// earlier jobs finish. Nothing blocks a thread while waiting: a finished job starts the
/// next one.
public final class JobPool<LaneKey: Hashable & Sendable, OwnerKey: Hashable & Sendable>: Sendable {
    /// A serial lane of jobs (the pool's generic parameter, named for its users).
    public typealias Lane = LaneKey
    /// Who a job counts against for ``ownerCap`` (the pool's generic parameter).
    public typealias Owner = OwnerKey

    private struct Job: Sendable {
        var lane: Lane?
        var owner: Owner?
        /// True once the job is cancelled: it may then start beyond its owner's cap (it only
        /// reports that it was cancelled).
        var isCancelled: @Sendable () -> Bool
        var body: @Sendable () -> Void
    }

    private struct State {
        var running = 0
        /// Jobs ready to run from `readyHead` on; a slot is emptied when its job starts, so the
        /// job's closure (and what it captured) goes when the job does.
        var ready: [Job?] = []
        var readyHead = 0
        /// Lanes with a job running or queued; the value is the lane's backlog.
        var lanes: [Lane: [Job]] = [:]
        /// Per owner: its jobs running or in `ready`.
        var admitted: [Owner: Int] = [:]
        /// Per owner: its jobs past the cap, in submission order.
        var held: [Owner: [Job]] = [:]
        /// The most jobs of one owner running or ready at once.
        var ownerCap: Int

        mutating func popReady() -> Job? {
            guard readyHead < ready.count else { return nil }
            let job = ready[readyHead]
            ready[readyHead] = nil
            readyHead += 1
            if readyHead > 64, readyHead * 2 > ready.count {
                ready.removeFirst(readyHead)
                readyHead = 0
            }
            return job
        }

        /// Queues a job whose lane lets it run: ready when its owner is under the cap (or it
        /// has none), else held.
        mutating func admit(_ job: Job) {
            if let owner = job.owner {
                let count = admitted[owner, default: 0]
                guard count < ownerCap || job.isCancelled() else {
                    held[owner, default: []].append(job)
                    return
                }
                admitted[owner] = count + 1
            }
            ready.append(job)
        }

        /// After a job of `owner` finished: moves its held jobs to the ready queue while the
        /// owner is under the cap.
        mutating func release(_ owner: Owner) {
            let count = admitted[owner, default: 1] - 1
            admitted[owner] = count > 0 ? count : nil
            promote(owner)
        }

        /// Moves `owner`'s held jobs to the ready queue while it is under the cap.
        mutating func promote(_ owner: Owner) {
            while var waiting = held[owner], !waiting.isEmpty, admitted[owner, default: 0] < ownerCap {
                let job = waiting.removeFirst()
                held[owner] = waiting.isEmpty ? nil : waiting
                admitted[owner, default: 0] += 1
                ready.append(job)
            }
        }

        /// Moves every held job that was cancelled to the ready queue, whatever its owner's
        /// count: it only reports that it was cancelled.
        mutating func promoteCancelled() {
            for (owner, waiting) in held {
                var cancelled: [Job] = []
                var kept: [Job] = []
                for job in waiting {
                    if job.isCancelled() { cancelled.append(job) } else { kept.append(job) }
                }
                guard !cancelled.isEmpty else { continue }
                held[owner] = kept.isEmpty ? nil : kept
                admitted[owner, default: 0] += cancelled.count
                ready.append(contentsOf: cancelled.map { Optional($0) })
            }
        }
    }

    /// The most jobs running at once.
    public let threads: Int
    private let state: Mutex<State>
    private let queue: DispatchQueue

    /// A pool running at most `threads` jobs at once (at least 1), and at most `ownerCap`
    /// (at least 1; by default no cap) of one owner's, on a concurrent queue named `label`.
    public init(threads: Int, ownerCap: Int = .max, label: String = "lorad.workers") {
        self.threads = max(1, threads)
        state = Mutex(State(ownerCap: max(1, ownerCap)))
        queue = DispatchQueue(label: label, attributes: .concurrent)
    }

    /// The most jobs of one owner running or ready at once.
    public var ownerCap: Int { state.withLock { $0.ownerCap } }

    /// Changes the owner cap (at least 1). Jobs already running go on; an owner over a lower
    /// cap gets no new job started until it is under it; a higher cap starts held jobs.
    public func setOwnerCap(_ cap: Int) {
        let start: [Job] = state.withLock { state in
            state.ownerCap = max(1, cap)
            for owner in Array(state.held.keys) { state.promote(owner) }
            return startable(&state)
        }
        start.forEach(run)
    }

    /// Queues `body`; with a `lane`, after every job queued earlier on that lane has finished;
    /// with an `owner`, once fewer than ``ownerCap`` of that owner's jobs run or wait ready
    /// (`isCancelled` true lets it through at once: a cancelled job only reports that).
    public func submit(
        lane: Lane? = nil, owner: Owner? = nil, isCancelled: @escaping @Sendable () -> Bool = { false },
        _ body: @escaping @Sendable () -> Void
    ) {
        let job = Job(lane: lane, owner: owner, isCancelled: isCancelled, body: body)
        let start: [Job] = state.withLock { state in
            if let lane {
                if state.lanes[lane] != nil {
                    state.lanes[lane, default: []].append(job)
                    return []
                }
                state.lanes[lane] = []
            }
            state.admit(job)
            return startable(&state)
        }
        start.forEach(run)
    }

    /// Lets held jobs whose `isCancelled` now says true start at once (call after cancelling).
    public func startCancelled() {
        let start: [Job] = state.withLock { state in
            state.promoteCancelled()
            return startable(&state)
        }
        start.forEach(run)
    }

    /// Jobs currently queued, held or running.
    public var pendingCount: Int {
        state.withLock { state in
            state.running + (state.ready.count - state.readyHead) + state.lanes.values.reduce(0) { $0 + $1.count }
                + state.held.values.reduce(0) { $0 + $1.count }
        }
    }

    /// Jobs currently running.
    public var runningCount: Int { state.withLock { $0.running } }

    private func run(_ job: Job) {
        queue.async {
            job.body()
            self.finished(job)
        }
    }

    private func finished(_ job: Job) {
        let start: [Job] = state.withLock { state in
            if let owner = job.owner { state.release(owner) }
            if let lane = job.lane {
                if var backlog = state.lanes[lane], !backlog.isEmpty {
                    state.admit(backlog.removeFirst())
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
