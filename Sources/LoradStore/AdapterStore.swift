import LoradSystem

/// The adapter store: the facade the daemon and `loractl` use.
///
/// On disk, under `root`:
/// - `catalog.sqlite3` (+ `-wal`, `-shm`): the catalog (see `Catalog`);
/// - `blobs/sha256/ab/abcd....lorapack`: the packs, content-addressed (see `BlobStore`).
///
/// Crash safety: `add` writes the blob durably first, then the catalog rows in one
/// transaction, so a crash at any instant leaves either the old state or the new
/// one; an interrupted add leaves at worst an unreferenced blob or a temp file,
/// which `gc` removes. `remove` commits the catalog change first and deletes blobs
/// afterwards, for the same reason.
///
/// Concurrency: every mutation (add, remove, gc) runs inside a `BEGIN IMMEDIATE`
/// transaction of the catalog, whose write lock serialises writers across
/// processes (a second writer waits up to the busy timeout, then fails with
/// "another process holds the catalog locked"); so a `gc` never races an `add`.
/// No other lock file is used. Readers never wait: WAL lets `resolve`, `list` and
/// `packBytes` run beside a writer (they see the last committed state). The
/// daemon owns the store; `loractl` may open it read-only (`readOnly: true`) while
/// the daemon runs, or read-write when it does not.
///
/// The class is `Sendable`: the writer and reader connections are each behind a
/// lock (`CatalogConnection`); blob reads take no lock. A long `add` does not block reads.
public final class AdapterStore: Sendable {
    /// The store folder.
    public let root: String
    /// True when opened read-only: add, remove and gc throw `AdapterStoreError.readOnly`.
    public let isReadOnly: Bool
    /// The blob layer (for inspection; mutate through the store).
    public let blobs: BlobStore
    /// The write connection; nil for a read-only store.
    private let writer: CatalogConnection?
    /// The read connection (`query_only`).
    private let reader: CatalogConnection
    /// What `resolve` found on the reader, while the catalog is unchanged.
    private let resolved = ResolvedRecords()
    /// The fault-injection hook of tests.
    private let faultHook: FaultHook?

    /// The catalog's file name under `root`.
    public static let catalogFileName = "catalog.sqlite3"
    /// The blob folder's name under `root`.
    public static let blobFolderName = "blobs"

    /// Opens the store at `root`, creating the folder, `catalog.sqlite3` and
    /// `blobs/` when missing (unless `readOnly`), and migrating the catalog schema.
    ///
    /// - Parameters:
    ///   - readOnly: open without writing anything; the store must exist.
    ///   - busyTimeoutMilliseconds: how long a write waits for another process's
    ///     write to finish before failing (default 30 s).
    /// - Throws: `AdapterStoreError.notAStore`, `CatalogError` (file damaged,
    ///   newer schema, locked), `BlobStoreError.io` (folders cannot be created).
    public static func open(
        root: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 30_000
    ) throws -> AdapterStore {
        try AdapterStore(root: root, readOnly: readOnly, busyTimeoutMilliseconds: busyTimeoutMilliseconds, faultHook: nil)
    }

    /// `open`, with a fault-injection hook (tests only; see `FaultPoint`).
    static func open(root: String, faultHook: @escaping FaultHook) throws -> AdapterStore {
        try AdapterStore(root: root, readOnly: false, busyTimeoutMilliseconds: 1000, faultHook: faultHook)
    }

    private init(root: String, readOnly: Bool, busyTimeoutMilliseconds: Int32, faultHook: FaultHook?) throws {
        let blobs = BlobStore(root: root + "/" + Self.blobFolderName)
        let catalogPath = root + "/" + Self.catalogFileName
        let readerDatabase: SQLiteDatabase
        if readOnly {
            guard FileStatus.isDirectory(root) else { throw AdapterStoreError.notAStore(root: root, reason: "no such folder") }
            guard FileStatus.isRegularFile(catalogPath) else {
                throw AdapterStoreError.notAStore(root: root, reason: "it has no \(Self.catalogFileName)")
            }
            writer = nil
            readerDatabase = try Self.connect(catalogPath, flags: [.readOnly], busyTimeoutMilliseconds)
        } else {
            if FileStatus.exists(root), !FileStatus.isDirectory(root) {
                throw AdapterStoreError.notAStore(root: root, reason: "it is not a folder")
            }
            do {
                try DurableFile.makeDirectory(root, createIntermediates: true)
            } catch {
                throw BlobStoreError.io(error)
            }
            try blobs.prepare()
            let writerCatalog = try Catalog(
                database: Self.connect(catalogPath, flags: [.readWrite, .create], busyTimeoutMilliseconds))
            do {
                try DurableFile.fsyncDirectory(root)
            } catch {
                throw BlobStoreError.io(error)
            }
            writer = CatalogConnection(writerCatalog)
            readerDatabase = try Self.connect(catalogPath, flags: [.readWrite], busyTimeoutMilliseconds)
            do { try readerDatabase.execute("PRAGMA query_only=1") } catch { throw CatalogError.sqlite(error) }
        }
        reader = CatalogConnection(try Catalog(database: readerDatabase))
        self.root = root
        self.isReadOnly = readOnly
        self.blobs = blobs
        self.faultHook = faultHook
    }

    /// Opens a connection, wrapping its error as a `CatalogError`.
    private static func connect(
        _ path: String, flags: SQLiteDatabase.OpenFlags, _ busyTimeoutMilliseconds: Int32
    ) throws(CatalogError) -> SQLiteDatabase {
        do {
            return try SQLiteDatabase(path: path, flags: flags, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        } catch {
            throw .sqlite(error)
        }
    }

    // MARK: Writing

    /// Stores an adapter: `packBytes` (the pack file, opaque here) as a blob, then
    /// its catalog record as the next version of `record.name`.
    ///
    /// The record is validated before anything is written. A failure leaves the
    /// store as it was (a blob written by this call is removed again; a crash can
    /// leave it behind, unreferenced, for `gc`).
    /// - Returns: the stored record (version, digest and sizes filled in).
    /// - Throws: `CatalogError` (invalid record, locked catalog ...),
    ///   `BlobStoreError`, `AdapterStoreError.readOnly`.
    @discardableResult
    public func add(_ record: NewAdapterRecord, packBytes: [UInt8]) throws -> AdapterRecord {
        try packBytes.withUnsafeBytes { try add(record, packBytes: $0) }
    }

    /// Stores an adapter from a pack in memory the caller owns (e.g. a mapping);
    /// see `add(_:packBytes:)` for `[UInt8]`. `packBytes` is not kept.
    @discardableResult
    public func add(_ record: NewAdapterRecord, packBytes: UnsafeRawBufferPointer) throws -> AdapterRecord {
        try record.validate()
        let blobs = blobs
        let checkpoint = checkpoint
        let stored = try withWriter { catalog in
            try catalog.database.transaction {
                let (digest, written) = try blobs.put(packBytes, checkpoint: checkpoint)
                do {
                    return try catalog.insert(
                        record, packedBytes: packBytes.count, blob: digest,
                        beforeCommit: { try checkpoint(.beforeCatalogCommit) })
                } catch let error where !(error is SimulatedCrash) {
                    // Under the write lock nobody else can reference a blob this
                    // call created; remove it so the failed add leaves no trace.
                    if written { _ = try? blobs.remove(digest) }
                    throw error
                }
            }
        }
        try checkpoint(.afterCatalogCommit)
        return stored
    }

    /// Removes `reference` from the catalog (`name@N`: that version; `name`:
    /// every version of the name), then deletes the blobs no version points at
    /// any more.
    ///
    /// - Returns: the removed records, oldest first.
    /// - Throws: `CatalogError.notFound`/`.versionNotFound`, `AdapterStoreError.readOnly`.
    ///   A failure to delete a blob is not thrown: the blob stays for `gc`.
    @discardableResult
    public func remove(_ reference: AdapterReference) throws -> [AdapterRecord] {
        let checkpoint = checkpoint
        let removed = try withWriter { catalog in
            try catalog.remove(reference, beforeCommit: { try checkpoint(.beforeRemoveCommit) })
        }
        try checkpoint(.afterRemoveCommit)
        do {
            try deleteUnreferenced(Set(removed.map(\.blob)))
        } catch let crash as SimulatedCrash {
            throw crash
        } catch {
            // The catalog change is committed; leftover blobs are harmless.
        }
        return removed
    }

    /// Removes every blob no catalog version points at and every temp file left by
    /// an interrupted write.
    ///
    /// - Returns: what was removed and the bytes freed.
    /// - Throws: `BlobStoreError.io`, `CatalogError`, `AdapterStoreError.readOnly`.
    @discardableResult
    public func gc() throws -> BlobGCResult {
        let blobs = blobs
        let checkpoint = checkpoint
        return try withWriter { catalog in
            // The (empty) write transaction holds the lock that keeps adds out.
            try catalog.database.transaction {
                try blobs.gc(keeping: catalog.referencedBlobs(), checkpoint: checkpoint)
            }
        }
    }

    /// Deletes those of `candidates` that no version references, under the write lock.
    private func deleteUnreferenced(_ candidates: Set<BlobDigest>) throws {
        let blobs = blobs
        let checkpoint = checkpoint
        try withWriter { catalog in
            try catalog.database.transaction {
                for digest in candidates.sorted() where try !catalog.references(digest) {
                    try blobs.remove(digest)
                    try checkpoint(.afterBlobRemove)
                }
            }
        }
    }

    // MARK: Reading

    /// The record `reference` names (`name@N`, or the latest version of `name`).
    ///
    /// - Throws: `CatalogError.notFound`/`.versionNotFound` (clear messages), `.sqlite`.
    ///
    /// Answered from memory while the catalog is unchanged (checked with one
    /// `PRAGMA data_version` on the reader: any commit, by this store or another process,
    /// empties that memory).
    public func resolve(_ reference: AdapterReference) throws -> AdapterRecord {
        try withReader { catalog in
            try resolved.record(for: reference, dataVersion: try catalog.dataVersion()) { try catalog.resolve(reference) }
        }
    }

    /// The stored adapters: the latest version of each name, or every version;
    /// optionally only those with `tag` or checked against `baseFingerprint`
    /// (see `Catalog.list`).
    public func list(allVersions: Bool = false, tag: String? = nil, baseFingerprint: String? = nil) throws -> [AdapterRecord] {
        try withReader { catalog in
            try catalog.list(allVersions: allVersions, tag: tag, baseFingerprint: baseFingerprint)
        }
    }

    /// The pack bytes of `record`, mapped read-only (zero-copy, page cache),
    /// after checking that the blob's size is the recorded one and its SHA-256 is
    /// its name.
    ///
    /// The mapping stays valid after the adapter is removed.
    /// - Throws: `AdapterStoreError.unreadablePack` (naming the version) for a missing or
    ///   damaged blob, `AdapterStoreError.sizeMismatch`, `BlobStoreError.io`.
    public func packBytes(for record: AdapterRecord) throws -> MappedRegion {
        let region: MappedRegion
        do {
            region = try blobs.read(record.blob)
        } catch {
            switch error {
            case .missing, .damaged, .notAFile: throw AdapterStoreError.unreadablePack(record.reference, error)
            case .io: throw error
            }
        }
        guard region.count == record.packedBytes else {
            throw AdapterStoreError.sizeMismatch(record.reference, recorded: record.packedBytes, actual: region.count)
        }
        let actual = region.withUnsafeBytes { BlobDigest(of: $0) }
        guard actual == record.blob else {
            throw AdapterStoreError.unreadablePack(
                record.reference, .damaged(record.blob, actual: actual, path: blobs.path(for: record.blob)))
        }
        return region
    }

    // MARK: Internals

    /// Runs `body` with the write connection, or throws `readOnly`.
    private func withWriter<T: Sendable>(_ body: (Catalog) throws -> T) throws -> T {
        guard let writer else { throw AdapterStoreError.readOnly(root: root) }
        return try writer.withLock(body)
    }

    /// Runs `body` with the read connection, in one read transaction: all it reads is one
    /// committed state of the catalog, even while the writer (or another process) commits.
    func withReader<T: Sendable>(_ body: (Catalog) throws -> T) throws -> T {
        try reader.withLock { catalog in try catalog.database.readTransaction { try body(catalog) } }
    }

    /// Calls the fault hook, if any, at `point`.
    var checkpoint: @Sendable (FaultPoint) throws -> Void {
        let hook = faultHook
        return { point in try hook?(point) }
    }
}
