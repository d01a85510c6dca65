import LoradSystem

/// The core's worker pool: heavy requests run on it (``CoreOptions/threads`` at a time, and
/// at most ``CoreOptions/workersPerUID`` of one uid's, the owner being the peer's uid).
typealias WorkerPool = JobPool<WorkerLane, UInt32>

/// A serial lane of the core's worker pool.
enum WorkerLane: Hashable, Sendable {
    /// The requests naming one session.
    case session(UInt64)
    /// Import, remove and gc: they check the catalog and then change it.
    case store
}

extension JobPool where LaneKey == WorkerLane, OwnerKey == UInt32 {
    /// The per-uid cap `limits.workers_per_uid` gives for a pool of `threads`: `configured`,
    /// or `threads - 1` (at least 1) when it is 0, which leaves a worker for other users.
    static func ownerCap(configured: Int, threads: Int) -> Int {
        configured > 0 ? configured : max(1, threads - 1)
    }
}
