import CSQLite

/// `SQLITE_TRANSIENT`: tells SQLite to copy a bound text or blob before the bind
/// call returns, so the Swift buffer may go away. (The C macro is a cast of -1,
/// which Swift does not import.)
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement of one `SQLiteDatabase`.
///
/// Owns the `sqlite3_stmt` (finalised on deinit) and keeps its database open. Not
/// thread-safe: use it on the thread that uses its database. Parameters are
/// 1-based (as in SQLite); columns are 0-based.
public final class SQLiteStatement {
    /// The database this statement belongs to (kept alive by the statement).
    public let database: SQLiteDatabase
    /// The SQL text, for error messages.
    public let sql: String
    private let handle: OpaquePointer

    init(database: SQLiteDatabase, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let rc = sql.withCString { text in
            sqlite3_prepare_v2(database.handle, text, -1, &statement, &tail)
        }
        guard rc == SQLITE_OK else {
            sqlite3_finalize(statement)
            throw SQLiteError(handle: database.handle, resultCode: rc, sql: sql)
        }
        guard let statement else {
            throw SQLiteError(extendedCode: SQLITE_MISUSE, message: "the SQL holds no statement", sql: sql)
        }
        self.database = database
        self.sql = sql
        self.handle = statement
    }

    deinit { sqlite3_finalize(handle) }

    /// The number of parameters (`?`, `?N`, `:name`) in the statement.
    public var parameterCount: Int { Int(sqlite3_bind_parameter_count(handle)) }

    /// The number of columns a row of this statement has.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// Binds `value` to the 1-based parameter `index`. Text and blobs are copied.
    ///
    /// Throws `SQLiteError` for an index out of range or a value too large.
    public func bind(_ value: SQLiteValue, at index: Int) throws(SQLiteError) {
        guard index >= 1, index <= parameterCount else {
            throw SQLiteError(
                extendedCode: SQLITE_RANGE,
                message: "parameter \(index) is out of range 1...\(parameterCount)", sql: sql)
        }
        let position = Int32(index)
        let rc: Int32
        switch value {
        case .null:
            rc = sqlite3_bind_null(handle, position)
        case .integer(let integer):
            rc = sqlite3_bind_int64(handle, position, integer)
        case .real(let real):
            rc = sqlite3_bind_double(handle, position, real)
        case .text(let text):
            if text.isEmpty {
                // A real (empty) C string, so the value binds as '' rather than NULL.
                rc = sqlite3_bind_text64(handle, position, "", 0, sqliteTransient, UInt8(SQLITE_UTF8))
            } else {
                var text = text
                rc = text.withUTF8 { utf8 in
                    utf8.withMemoryRebound(to: CChar.self) { chars in
                        sqlite3_bind_text64(
                            handle, position, chars.baseAddress, UInt64(chars.count), sqliteTransient, UInt8(SQLITE_UTF8))
                    }
                }
            }
        case .blob(let bytes):
            if bytes.isEmpty {
                rc = sqlite3_bind_zeroblob(handle, position, 0)
            } else {
                rc = bytes.withUnsafeBytes { raw in
                    sqlite3_bind_blob64(handle, position, raw.baseAddress, UInt64(raw.count), sqliteTransient)
                }
            }
        }
        guard rc == SQLITE_OK else { throw SQLiteError(handle: database.handle, resultCode: rc, sql: sql) }
    }

    /// Resets the statement and binds `values` to parameters 1...count.
    ///
    /// Throws when the count does not match `parameterCount`.
    public func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        reset()
        guard values.count == parameterCount else {
            throw SQLiteError(
                extendedCode: SQLITE_RANGE,
                message: "\(values.count) values given for \(parameterCount) parameters", sql: sql)
        }
        for (offset, value) in values.enumerated() {
            try bind(value, at: offset + 1)
        }
    }

    /// Runs one step: true when a row is ready to read, false when the statement
    /// is done.
    ///
    /// Throws `SQLiteError` on any other result (busy past the timeout, constraint
    /// violation, I/O error ...).
    public func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(handle: database.handle, resultCode: rc, sql: sql)
        }
    }

    /// Resets the statement to run again; bindings are kept.
    public func reset() {
        // The result repeats the last step's error, which that step already threw.
        _ = sqlite3_reset(handle)
    }

    /// Binds `values`, runs the statement to completion and returns the number of
    /// rows it changed.
    @discardableResult
    public func run(_ values: [SQLiteValue] = []) throws(SQLiteError) -> Int {
        try bind(values)
        defer { reset() }
        while try step() {}
        return database.changes
    }

    /// Binds `values`, runs the statement and maps every row with `transform`.
    ///
    /// Rethrows what `transform` throws; throws `SQLiteError` on step failures.
    public func rows<T>(_ values: [SQLiteValue] = [], _ transform: (SQLiteRow) throws -> T) throws -> [T] {
        try bind(values)
        defer { reset() }
        var result: [T] = []
        while try step() {
            result.append(try transform(SQLiteRow(statement: self)))
        }
        return result
    }

    // MARK: Columns (valid after `step()` returned true)

    /// The storage class of the 0-based column `index` of the current row
    /// (`SQLITE_INTEGER`, `SQLITE_TEXT`, ...).
    func columnType(_ index: Int) -> Int32 { sqlite3_column_type(handle, Int32(index)) }

    /// The column as a 64-bit integer (SQLite converts other classes).
    func columnInt64(_ index: Int) -> Int64 { sqlite3_column_int64(handle, Int32(index)) }

    /// The column as a double (SQLite converts other classes).
    func columnDouble(_ index: Int) -> Double { sqlite3_column_double(handle, Int32(index)) }

    /// The column as UTF-8 text (empty for NULL).
    func columnText(_ index: Int) -> String {
        guard let text = sqlite3_column_text(handle, Int32(index)) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, Int32(index)))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// The column as bytes (empty for NULL).
    func columnBlob(_ index: Int) -> [UInt8] {
        guard let blob = sqlite3_column_blob(handle, Int32(index)) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, Int32(index)))
        return Array(UnsafeRawBufferPointer(start: blob, count: count))
    }
}
