extension AdapterStore {
    /// The instants at which tests can make a store operation stop dead.
    ///
    /// A hook given to `AdapterStore.open(root:readOnly:busyTimeoutMilliseconds:faultHook:)`
    /// is called at each point; when it throws `SimulatedCrash`, the operation
    /// stops there and skips every cleanup (temp files stay, the open catalog
    /// transaction is neither committed nor rolled back), like a power cut. The
    /// store object must then be dropped; reopening the root shows what a crash
    /// at that instant leaves on disk.
    enum FaultPoint: String, CaseIterable, Sendable {
        /// `add`: the blob's temp file is written and fsynced, not yet renamed.
        case afterBlobTemp
        /// `add`: the blob is renamed into place, its folder not yet fsynced.
        case afterBlobRename
        /// `add`: every catalog row is written, the transaction not yet committed.
        case beforeCatalogCommit
        /// `add`: the catalog transaction is committed.
        case afterCatalogCommit
        /// `remove`: the catalog rows are deleted, the transaction not yet committed.
        case beforeRemoveCommit
        /// `remove`: the catalog rows are deleted and committed, blobs not yet removed.
        case afterRemoveCommit
        /// `remove`/`gc`: one blob file was just removed.
        case afterBlobRemove
    }

    /// The error a fault hook throws to simulate a crash (see `FaultPoint`).
    struct SimulatedCrash: SQLiteAbandonsTransaction, CustomStringConvertible {
        /// Where the simulated crash happened.
        let point: FaultPoint

        var description: String { "simulated crash at \(point.rawValue)" }
    }

    /// A fault-injection hook: called at every `FaultPoint`; may throw.
    typealias FaultHook = @Sendable (FaultPoint) throws -> Void
}
