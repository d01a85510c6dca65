import CSQLite

/// One SQLite connection, configured for a durable catalog.
///
/// A read-write connection runs in WAL journal mode with `synchronous=FULL` (a
/// commit is on disk when `COMMIT` returns), foreign keys on, and a busy timeout so
/// that a second process waits for a lock instead of failing at once. WAL lets any
/// number of readers run beside one writer.
///
/// The class owns the `sqlite3` handle and closes it on deinit (`sqlite3_close_v2`,
/// which waits for the last statement to be finalised). It is not thread-safe: use
/// a connection from one thread at a time (the owner serialises access).
public final class SQLiteDatabase {
    /// How to open the file; maps to `SQLITE_OPEN_*`.
    public struct OpenFlags: OptionSet, Sendable {
        /// The raw `SQLITE_OPEN_*` bits.
        public let rawValue: Int32
        /// Creates flags from raw `SQLITE_OPEN_*` bits.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// `SQLITE_OPEN_READONLY`: no writes; the file must exist.
        public static let readOnly = OpenFlags(rawValue: SQLITE_OPEN_READONLY)
        /// `SQLITE_OPEN_READWRITE`.
        public static let readWrite = OpenFlags(rawValue: SQLITE_OPEN_READWRITE)
        /// `SQLITE_OPEN_CREATE`: create the file when missing (with `readWrite`).
        public static let create = OpenFlags(rawValue: SQLITE_OPEN_CREATE)
        /// `SQLITE_OPEN_NOFOLLOW`: refuse a path that is a symbolic link.
        public static let noFollow = OpenFlags(rawValue: 0x0100_0000)
    }

    /// The raw connection handle; valid for the lifetime of this object.
    let handle: OpaquePointer
    /// The path the connection was opened with.
    public let path: String
    /// True when opened with `.readOnly`.
    public let isReadOnly: Bool

    /// Opens (or creates) the database at `path` and configures the connection.
    ///
    /// - Parameters:
    ///   - path: a file path, or ":memory:" for a private in-memory database.
    ///   - flags: `[.readWrite, .create]` by default; `.readOnly` skips switching
    ///     the journal mode (a reader cannot), the rest is the same.
    ///   - busyTimeoutMilliseconds: how long a statement waits for another
    ///     connection's lock before failing with `SQLITE_BUSY` (default 5 s).
    /// - Throws: `SQLiteError` when the file cannot be opened, is not a database,
    ///   or refuses WAL mode.
    public init(
        path: String, flags: OpenFlags = [.readWrite, .create], busyTimeoutMilliseconds: Int32 = 5000
    ) throws(SQLiteError) {
        var connection: OpaquePointer?
        // EXRESCODE: every result code is an extended one.
        let rc = sqlite3_open_v2(path, &connection, flags.rawValue | SQLITE_OPEN_EXRESCODE, nil)
        guard rc == SQLITE_OK, let connection else {
            let error = SQLiteError(handle: connection, resultCode: rc, sql: nil)
            sqlite3_close_v2(connection)
            throw SQLiteError(
                extendedCode: error.extendedCode, message: "cannot open \(path): \(error.message)", sql: nil)
        }
        self.handle = connection
        self.path = path
        self.isReadOnly = flags.contains(.readOnly)
        sqlite3_extended_result_codes(connection, 1)
        sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
        if !isReadOnly {
            let mode = try scalarText("PRAGMA journal_mode=WAL")
            // An in-memory database reports "memory" and cannot use WAL.
            guard mode == "wal" || (path == ":memory:" && mode == "memory") else {
                throw SQLiteError(
                    extendedCode: SQLITE_ERROR,
                    message: "\(path) refused WAL journal mode (it is in mode \(mode ?? "unknown"))",
                    sql: "PRAGMA journal_mode=WAL")
            }
            try execute("PRAGMA synchronous=FULL")
        }
        try execute("PRAGMA foreign_keys=ON")
        // Touch the schema so a file that is not a database fails here, not later.
        _ = try scalarInt("PRAGMA schema_version")
    }

    deinit { sqlite3_close_v2(handle) }

    /// Compiles one statement.
    ///
    /// Throws `SQLiteError` for a syntax error or an unknown table/column.
    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        try SQLiteStatement(database: self, sql: sql)
    }

    /// Runs one or more `;`-separated statements without parameters (DDL, pragmas).
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard rc == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            throw SQLiteError(extendedCode: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// Prepares `sql`, binds `values` and runs it to completion; returns the number
    /// of rows changed.
    @discardableResult
    public func run(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> Int {
        try prepare(sql).run(values)
    }

    /// Prepares `sql`, binds `values` and maps every row with `transform`.
    public func rows<T>(_ sql: String, _ values: [SQLiteValue] = [], _ transform: (SQLiteRow) throws -> T) throws -> [T] {
        try prepare(sql).rows(values, transform)
    }

    /// The first column of the first row as an integer, or nil when there is no row
    /// or the value is NULL.
    public func scalarInt(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> Int64? {
        try scalar(sql, values) { $0.int64(0) }
    }

    /// The first column of the first row as text, or nil when there is no row or
    /// the value is NULL.
    public func scalarText(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> String? {
        try scalar(sql, values) { $0.text(0) }
    }

    /// Reads the first column of the first row with `read`; nil for no row or NULL.
    private func scalar<T>(_ sql: String, _ values: [SQLiteValue], _ read: (SQLiteRow) -> T) throws(SQLiteError) -> T? {
        let statement = try prepare(sql)
        try statement.bind(values)
        defer { statement.reset() }
        let row = SQLiteRow(statement: statement)
        guard try statement.step(), !row.isNull(0) else { return nil }
        return read(row)
    }

    /// The rowid of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// The number of rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// True while a transaction is open on this connection.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// `PRAGMA user_version`: the application's schema version (0 for a new file).
    public func userVersion() throws(SQLiteError) -> Int {
        Int(try scalarInt("PRAGMA user_version") ?? 0)
    }

    /// Sets `PRAGMA user_version` (inside the caller's transaction, if any).
    public func setUserVersion(_ version: Int32) throws(SQLiteError) {
        try execute("PRAGMA user_version=\(version)")
    }
}
