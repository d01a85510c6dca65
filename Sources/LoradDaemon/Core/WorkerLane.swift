import LoradSystem

/// The core's worker pool: heavy requests run on it (``CoreOptions/threads`` at a time).
typealias WorkerPool = JobPool<WorkerLane>

/// A serial lane of the core's worker pool.
enum WorkerLane: Hashable, Sendable {
    /// The requests naming one session.
    case session(UInt64)
    /// Import, remove and gc: they check the catalog and then change it.
    case store
}
