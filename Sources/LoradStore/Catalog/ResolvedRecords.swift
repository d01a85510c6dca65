import Synchronization

/// Records that `resolve` found, kept while the catalog is unchanged, so that resolving
/// the same names again (every SWITCH does) costs one `PRAGMA data_version` instead of
/// four queries that read every target name.
///
/// Valid only for a connection that never writes: SQLite changes a connection's
/// `data_version` when any *other* connection commits, not on its own commits. The
/// store's reader connection is `query_only`, so every commit (of this process's writer or
/// of another process) changes the version it sees, and the next lookup empties the cache.
/// Thread-safe; at most `capacity` references are kept (all are dropped when it is full).
final class ResolvedRecords: Sendable {
    private struct State {
        var dataVersion: Int64?
        var records: [AdapterReference: AdapterRecord] = [:]
    }

    private let state = Mutex(State())
    private let capacity: Int

    /// A cache holding at most `capacity` references.
    init(capacity: Int = 1024) {
        self.capacity = max(0, capacity)
    }

    /// The record cached for `reference` while the catalog is at `dataVersion`, else what
    /// `resolve` returns (cached when it succeeds). Errors are not cached.
    func record(
        for reference: AdapterReference, dataVersion: Int64, resolve: () throws -> AdapterRecord
    ) throws -> AdapterRecord {
        let cached = state.withLock { state -> AdapterRecord? in
            if state.dataVersion != dataVersion {
                state.dataVersion = dataVersion
                state.records.removeAll()
            }
            return state.records[reference]
        }
        if let cached { return cached }
        let record = try resolve()
        state.withLock { state in
            guard state.dataVersion == dataVersion else { return }
            if state.records.count >= capacity { state.records.removeAll() }
            if capacity > 0 { state.records[reference] = record }
        }
        return record
    }
}
