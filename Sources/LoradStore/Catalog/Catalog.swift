import LoradTensors

/// The adapter catalog: names, versions, tags, description, base compatibility,
/// rank, targets and sizes of every stored adapter version, in SQLite.
///
/// Versions: the first import of a name is version 1; each further import of the
/// name adds the next number. A number is not reused while the name has any
/// version left (removing `name@3` and importing again gives `name@4`); once every
/// version of a name is removed, the name starts again at 1. Names are
/// case-sensitive and sorted in byte order.
///
/// Not thread-safe: one `Catalog` wraps one connection; `AdapterStore` serialises
/// access. Every method either completes or changes nothing (one transaction).
public final class Catalog {
    /// The connection (WAL, synchronous=FULL, foreign keys on).
    public let database: SQLiteDatabase
    /// `PRAGMA data_version`, prepared once (see ``dataVersion()``).
    private var dataVersionStatement: SQLiteStatement?

    /// Wraps an open connection, migrating its schema when it is writable.
    ///
    /// - Throws: `CatalogError` (see `CatalogSchema.migrate`).
    public init(database: SQLiteDatabase) throws(CatalogError) {
        try CatalogSchema.migrate(database)
        self.database = database
    }

    /// Opens (creating when `readOnly` is false) the catalog file at `path`.
    ///
    /// - Throws: `CatalogError.sqlite` when the file cannot be opened or is not a
    ///   database; the migration errors of `init(database:)`.
    public convenience init(path: String, readOnly: Bool = false) throws(CatalogError) {
        let database: SQLiteDatabase
        do {
            database = try SQLiteDatabase(path: path, flags: readOnly ? [.readOnly] : [.readWrite, .create])
        } catch {
            throw .sqlite(error)
        }
        try self.init(database: database)
    }

    /// The schema version this code reads and writes.
    public static var schemaVersion: Int { CatalogSchema.currentVersion }

    // MARK: Writing

    /// Stores `new` as the next version of its name, pointing at `blob`.
    ///
    /// - Parameters:
    ///   - packedBytes: the blob's size in bytes.
    ///   - beforeCommit: runs inside the transaction after every row is written;
    ///     throwing from it rolls everything back (fault-injection tests use it).
    /// - Returns: the stored record, read back.
    /// - Throws: `CatalogError.invalidName`/`.invalidField` for a bad record,
    ///   `.versionsExhausted`, `.sqlite`; nothing is stored then.
    @discardableResult
    public func insert(
        _ new: NewAdapterRecord, packedBytes: Int, blob: BlobDigest, beforeCommit: () throws -> Void = {}
    ) throws -> AdapterRecord {
        try new.validate()
        guard packedBytes >= 0 else { throw CatalogError.invalidField("packed size", "\(packedBytes) bytes is negative") }
        return try wrappingSQLite {
            try database.transaction {
                let last = try database.scalarInt("SELECT last_version FROM adapter_names WHERE name = ?", [.text(new.name)]) ?? 0
                guard last >= 0 else { throw CatalogError.corrupt("\(new.name) has last version \(last)") }
                guard last < Int64(AdapterReference.maxVersion) else { throw CatalogError.versionsExhausted(new.name) }
                let version = Int(last) + 1
                try database.run(
                    "INSERT INTO adapter_names(name, last_version) VALUES (?1, ?2) "
                        + "ON CONFLICT(name) DO UPDATE SET last_version = ?2",
                    [.text(new.name), .int(version)])
                let dtypes = Set(new.dtypes).map(\.rawValue).sorted().joined(separator: ",")
                try database.run(
                    """
                    INSERT INTO adapters(name, version, description, created, rank, alpha, layout, prefix,
                        target_count, dtypes, original_bytes, packed_bytes, blob)
                    VALUES (?, ?, ?, COALESCE(?, unixepoch()), ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(new.name), .int(version), .text(new.description), new.created.map(SQLiteValue.integer) ?? .null,
                        .int(new.rank), .optionalReal(new.alpha), .text(new.layout), .text(new.prefix),
                        .int(new.targets.count), .text(dtypes), .int(new.originalBytes), .int(packedBytes), .text(blob.hex),
                    ])
                let id = database.lastInsertRowID
                let tagInsert = try database.prepare("INSERT INTO adapter_tags(adapter_id, tag) VALUES (?, ?)")
                for tag in Set(new.tags).sorted() {
                    try tagInsert.run([.integer(id), .text(tag)])
                }
                let baseInsert = try database.prepare(
                    "INSERT INTO adapter_bases(adapter_id, fingerprint, base_name) VALUES (?, ?, ?)")
                for base in Set(new.bases).sorted() {
                    try baseInsert.run([.integer(id), .text(base.fingerprint), .text(base.name)])
                }
                let targetInsert = try database.prepare(
                    "INSERT INTO adapter_targets(adapter_id, position, target) VALUES (?, ?, ?)")
                for (position, target) in new.targets.enumerated() {
                    try targetInsert.run([.integer(id), .int(position), .text(target)])
                }
                let record = try records(where: "a.id = ?", [.integer(id)]).first
                guard let record else { throw CatalogError.corrupt("adapter row \(id) vanished after insert") }
                try beforeCommit()
                return record
            }
        }
    }

    /// Removes `reference`: `name@N` removes version N; a bare `name` removes
    /// every version of the name (what "remove the adapter" means to a user).
    ///
    /// Blobs are not touched; the caller deletes the ones no longer referenced.
    /// - Parameter beforeCommit: runs inside the transaction after the rows are
    ///   deleted; throwing from it rolls everything back (fault-injection tests).
    /// - Returns: the removed records, oldest first.
    /// - Throws: `CatalogError.notFound`/`.versionNotFound`, `.sqlite`.
    @discardableResult
    public func remove(_ reference: AdapterReference, beforeCommit: () throws -> Void = {}) throws -> [AdapterRecord] {
        try wrappingSQLite {
            try database.transaction {
                let removed: [AdapterRecord]
                if let version = reference.version {
                    removed = [try resolve(reference)]
                    try database.run("DELETE FROM adapters WHERE name = ? AND version = ?", [.text(reference.name), .int(version)])
                } else {
                    removed = try versions(of: reference.name)
                    guard !removed.isEmpty else { throw CatalogError.notFound(reference) }
                    try database.run("DELETE FROM adapters WHERE name = ?", [.text(reference.name)])
                }
                try database.run(
                    "DELETE FROM adapter_names WHERE name = ?1 AND NOT EXISTS (SELECT 1 FROM adapters WHERE name = ?1)",
                    [.text(reference.name)])
                try beforeCommit()
                return removed
            }
        }
    }

    // MARK: Reading

    /// SQLite's `PRAGMA data_version` of this connection: it changes whenever another
    /// connection commits to the file (not on this connection's own commits).
    /// - Throws: `CatalogError.sqlite`.
    public func dataVersion() throws -> Int64 {
        try wrappingSQLite {
            let statement = try dataVersionStatement ?? database.prepare("PRAGMA data_version")
            dataVersionStatement = statement
            return try statement.rows { $0.int64(0) }.first ?? 0
        }
    }

    /// The record `reference` names: version N of `name@N`, the latest of `name`.
    ///
    /// - Throws: `CatalogError.notFound` (no such name), `.versionNotFound` (the
    ///   name exists without that version; lists the versions it has), `.corrupt`,
    ///   `.sqlite`.
    public func resolve(_ reference: AdapterReference) throws -> AdapterRecord {
        try wrappingSQLite {
            let found: AdapterRecord?
            if let version = reference.version {
                found = try records(where: "a.name = ? AND a.version = ?", [.text(reference.name), .int(version)]).first
            } else {
                found = try records(
                    where: "a.name = ?1 AND a.version = (SELECT MAX(version) FROM adapters WHERE name = ?1)",
                    [.text(reference.name)]
                ).first
            }
            if let found { return found }
            let available = try database.rows(
                "SELECT version FROM adapters WHERE name = ? ORDER BY version", [.text(reference.name)]
            ) { $0.int(0) }
            if let version = reference.version, !available.isEmpty {
                throw CatalogError.versionNotFound(reference.name, version, available: available)
            }
            throw CatalogError.notFound(reference)
        }
    }

    /// Every version of `name`, oldest first (empty when the name is unknown).
    public func versions(of name: String) throws -> [AdapterRecord] {
        try wrappingSQLite { try records(where: "a.name = ?", [.text(name)]) }
    }

    /// The stored adapters sorted by name (byte order), then version.
    ///
    /// - Parameters:
    ///   - allVersions: every version when true; the latest of each name when false.
    ///   - tag: keep only records carrying this tag (applied after picking the latest).
    ///   - baseFingerprint: keep only records checked against this base.
    public func list(allVersions: Bool = false, tag: String? = nil, baseFingerprint: String? = nil) throws -> [AdapterRecord] {
        var conditions: [String] = []
        var values: [SQLiteValue] = []
        if !allVersions {
            conditions.append("a.version = (SELECT MAX(version) FROM adapters WHERE name = a.name)")
        }
        if let tag {
            conditions.append("EXISTS (SELECT 1 FROM adapter_tags t WHERE t.adapter_id = a.id AND t.tag = ?)")
            values.append(.text(tag))
        }
        if let baseFingerprint {
            conditions.append("EXISTS (SELECT 1 FROM adapter_bases b WHERE b.adapter_id = a.id AND b.fingerprint = ?)")
            values.append(.text(baseFingerprint))
        }
        let condition = conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")
        return try wrappingSQLite { try records(where: condition, values) }
    }

    /// The digests of every blob some version points at (what gc must keep).
    public func referencedBlobs() throws -> Set<BlobDigest> {
        try wrappingSQLite {
            let texts = try database.rows("SELECT DISTINCT blob FROM adapters", []) { $0.text(0) }
            return Set(try texts.map { text throws(CatalogError) in
                guard let digest = BlobDigest(hex: text) else {
                    throw .corrupt("blob digest \(Identifier.quoted(text)) is not 64 lowercase hex digits")
                }
                return digest
            })
        }
    }

    /// True when some version points at `blob`.
    public func references(_ blob: BlobDigest) throws -> Bool {
        try wrappingSQLite { try database.scalarInt("SELECT 1 FROM adapters WHERE blob = ? LIMIT 1", [.text(blob.hex)]) != nil }
    }

    /// Runs `body`, turning a bare `SQLiteError` into `CatalogError.sqlite`.
    private func wrappingSQLite<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLiteError {
            throw CatalogError.sqlite(error)
        }
    }
}
