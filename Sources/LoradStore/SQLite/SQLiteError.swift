import CSQLite

/// A failure reported by SQLite, with the library's own message and the SQL that
/// caused it.
///
/// `code` is the primary result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`, ...) and
/// `extendedCode` the extended one (`SQLITE_CONSTRAINT_UNIQUE`, ...). The
/// `description` is one line: what failed, SQLite's message, the statement, and a
/// hint at what to do for the codes a user can act on (locked, read-only, full,
/// damaged file).
public struct SQLiteError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The primary result code (the low byte of `extendedCode`).
    public var code: Int32 { extendedCode & 0xFF }
    /// The extended result code as returned by `sqlite3_extended_errcode`.
    public let extendedCode: Int32
    /// SQLite's message (`sqlite3_errmsg`) or a message written here.
    public let message: String
    /// The SQL being prepared or run, or nil when the failure was not tied to a
    /// statement (opening, closing).
    public let sql: String?

    /// Creates an error from its parts.
    public init(extendedCode: Int32, message: String, sql: String?) {
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// Reads the current error of `handle` (or describes `resultCode` when the handle
    /// is nil, as after a failed allocation).
    init(handle: OpaquePointer?, resultCode: Int32, sql: String?) {
        if let handle {
            let extended = sqlite3_extended_errcode(handle)
            // The connection's current error can lag behind a step result; prefer
            // the code the call returned when they disagree in the primary byte.
            let code = (extended & 0xFF) == (resultCode & 0xFF) ? extended : resultCode
            self.init(extendedCode: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
        } else {
            self.init(extendedCode: resultCode, message: String(cString: sqlite3_errstr(resultCode)), sql: sql)
        }
    }

    /// True when the database was locked by another connection past the busy timeout.
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }

    /// True when the failure is a constraint violation (unique, foreign key, check).
    public var isConstraint: Bool { code == SQLITE_CONSTRAINT }

    /// What the user can do about this code, or nil.
    private var hint: String? {
        switch code {
        case SQLITE_BUSY, SQLITE_LOCKED:
            "another process holds the catalog locked; retry, or stop the other writer"
        case SQLITE_READONLY, SQLITE_PERM:
            "the catalog is read-only here; check the store's permissions and owner"
        case SQLITE_CANTOPEN:
            "check that the store folder exists and is writable"
        case SQLITE_FULL:
            "the disk is full; free space and retry"
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            "the catalog file is damaged; restore it from a backup"
        case SQLITE_IOERR:
            "an I/O error occurred; check the disk and the kernel log"
        default:
            nil
        }
    }

    /// One line: the SQLite code and message, the statement, and a hint.
    public var description: String {
        var text = "SQLite error \(extendedCode): \(message)"
        if let sql {
            let oneLine = sql.split(whereSeparator: \.isNewline)
                .map { $0.trimmingSpaces() }
                .joined(separator: " ")
            text += " (in `\(oneLine)`)"
        }
        if let hint { text += "; \(hint)" }
        return text
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
