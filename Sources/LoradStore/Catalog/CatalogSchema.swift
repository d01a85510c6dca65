/// The catalog's SQL schema and its migrations, tracked in `PRAGMA user_version`.
///
/// `migrations[i]` turns schema version `i` into `i + 1`; a new database (version
/// 0) runs them all. Migrations are append-only: a released step never changes.
///
/// Version 1:
/// - `adapter_names(name, last_version)`: one row per name that has versions; the
///   highest version ever given to it, so a removed version's number is not given
///   to different content while the name exists.
/// - `adapters`: one row per version (name, version, description, created in Unix
///   seconds, max rank, alpha or NULL, layout, prefix, target count, dtypes as
///   comma-joined safetensors spellings, original and packed bytes, blob SHA-256).
/// - `adapter_tags`, `adapter_bases` (fingerprint + base name seen),
///   `adapter_targets` (ordered): children deleted with their version.
enum CatalogSchema {
    /// The SQL of each migration step.
    static let migrations: [String] = [
        """
        CREATE TABLE adapter_names (
            name TEXT PRIMARY KEY NOT NULL,
            last_version INTEGER NOT NULL CHECK (last_version >= 1)
        ) WITHOUT ROWID;
        CREATE TABLE adapters (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL REFERENCES adapter_names(name),
            version INTEGER NOT NULL CHECK (version >= 1),
            description TEXT NOT NULL,
            created INTEGER NOT NULL,
            rank INTEGER NOT NULL CHECK (rank >= 1),
            alpha REAL,
            layout TEXT NOT NULL,
            prefix TEXT NOT NULL,
            target_count INTEGER NOT NULL CHECK (target_count >= 0),
            dtypes TEXT NOT NULL,
            original_bytes INTEGER NOT NULL CHECK (original_bytes >= 0),
            packed_bytes INTEGER NOT NULL CHECK (packed_bytes >= 0),
            blob TEXT NOT NULL CHECK (length(blob) = 64),
            UNIQUE (name, version)
        );
        CREATE INDEX adapters_blob ON adapters(blob);
        CREATE TABLE adapter_tags (
            adapter_id INTEGER NOT NULL REFERENCES adapters(id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (adapter_id, tag)
        ) WITHOUT ROWID;
        CREATE INDEX adapter_tags_tag ON adapter_tags(tag);
        CREATE TABLE adapter_bases (
            adapter_id INTEGER NOT NULL REFERENCES adapters(id) ON DELETE CASCADE,
            fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
            base_name TEXT NOT NULL,
            PRIMARY KEY (adapter_id, fingerprint, base_name)
        ) WITHOUT ROWID;
        CREATE INDEX adapter_bases_fingerprint ON adapter_bases(fingerprint);
        CREATE TABLE adapter_targets (
            adapter_id INTEGER NOT NULL REFERENCES adapters(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            target TEXT NOT NULL,
            PRIMARY KEY (adapter_id, position)
        ) WITHOUT ROWID;
        """,
    ]

    /// The schema version this code writes and reads.
    static var currentVersion: Int { migrations.count }

    /// Brings `database` to `currentVersion` in one transaction per step.
    ///
    /// - Throws: `CatalogError.schemaTooNew` for a newer file,
    ///   `CatalogError.needsMigration` when `database` is read-only and old,
    ///   `CatalogError.sqlite` when a step fails (that step is rolled back).
    static func migrate(_ database: SQLiteDatabase) throws(CatalogError) {
        do {
            let found = try database.userVersion()
            guard found <= currentVersion else { throw CatalogError.schemaTooNew(found: found, supported: currentVersion) }
            guard found < currentVersion else { return }
            guard !database.isReadOnly else { throw CatalogError.needsMigration(found: found, supported: currentVersion) }
            try database.transaction {
                // Re-read under the write lock: another process may have migrated.
                let locked = try database.userVersion()
                guard locked <= currentVersion else {
                    throw CatalogError.schemaTooNew(found: locked, supported: currentVersion)
                }
                for step in locked..<currentVersion {
                    try database.execute(migrations[step])
                }
                try database.setUserVersion(Int32(currentVersion))
            }
        } catch let error as CatalogError {
            throw error
        } catch let error as SQLiteError {
            throw .sqlite(error)
        } catch {
            throw .corrupt("unexpected migration failure: \(error)")
        }
    }
}
