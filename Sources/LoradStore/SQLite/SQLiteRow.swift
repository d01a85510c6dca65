import CSQLite

/// The current row of a statement, handed to the closure of
/// `SQLiteStatement.rows(_:_:)`; valid only inside that closure.
///
/// Columns are 0-based. A column index outside `0..<count` reads as NULL (SQLite's
/// behaviour), so it gives 0, "" or [] rather than trapping. SQLite converts
/// between storage classes as documented for `sqlite3_column_*`.
public struct SQLiteRow {
    let statement: SQLiteStatement

    /// The number of columns in the row.
    public var count: Int { statement.columnCount }

    /// True when the column holds NULL.
    public func isNull(_ index: Int) -> Bool { statement.columnType(index) == SQLITE_NULL }

    /// The column as a 64-bit integer (0 for NULL).
    public func int64(_ index: Int) -> Int64 { statement.columnInt64(index) }

    /// The column as an `Int` (0 for NULL).
    public func int(_ index: Int) -> Int { Int(truncatingIfNeeded: statement.columnInt64(index)) }

    /// The column as a double (0 for NULL).
    public func double(_ index: Int) -> Double { statement.columnDouble(index) }

    /// The column as a double, or nil for NULL.
    public func optionalDouble(_ index: Int) -> Double? { isNull(index) ? nil : double(index) }

    /// The column as text ("" for NULL).
    public func text(_ index: Int) -> String { statement.columnText(index) }

    /// The column as text, or nil for NULL.
    public func optionalText(_ index: Int) -> String? { isNull(index) ? nil : text(index) }

    /// The column as bytes ([] for NULL).
    public func blob(_ index: Int) -> [UInt8] { statement.columnBlob(index) }

    /// The column as a value of its own storage class.
    public func value(_ index: Int) -> SQLiteValue {
        switch statement.columnType(index) {
        case SQLITE_INTEGER: .integer(int64(index))
        case SQLITE_FLOAT: .real(double(index))
        case SQLITE_TEXT: .text(text(index))
        case SQLITE_BLOB: .blob(blob(index))
        default: .null
        }
    }
}
