import CSQLite
import Testing

@testable import LoradStore

@Suite struct SQLiteStatementTests {
    @Test func everyStorageClassRoundTrips() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t(v)")
        let values: [SQLiteValue] = [
            .null, .integer(Int64.min), .integer(Int64.max), .real(-0.25), .text(""), .text("héllo\u{0}x"),
            .blob([]), .blob([0, 1, 2, 255]),
        ]
        let insert = try db.prepare("INSERT INTO t(v) VALUES (?)")
        for value in values { try insert.run([value]) }
        let read = try db.rows("SELECT v FROM t ORDER BY rowid") { $0.value(0) }
        // SQLite stores an empty blob as a zero-length blob, which reads back as [].
        #expect(read == values)
    }

    @Test func emptyTextBindsAsEmptyNotNull() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        #expect(try db.scalarInt("SELECT ? IS NULL", [.text("")]) == 0)
        #expect(try db.scalarText("SELECT typeof(?)", [.text("")]) == "text")
        #expect(try db.scalarText("SELECT typeof(?)", [.blob([])]) == "blob")
    }

    @Test func typedAccessors() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        let row = try db.rows("SELECT 5, 2.5, 'x', NULL, x'0102'") { row in
            (row.count, row.int(0), row.int64(0), row.double(1), row.text(2), row.optionalText(3),
             row.optionalDouble(3), row.isNull(3), row.blob(4))
        }
        #expect(row.count == 1)
        let r = try #require(row.first)
        #expect(r.0 == 5 && r.1 == 5 && r.2 == 5 && r.3 == 2.5 && r.4 == "x")
        #expect(r.5 == nil && r.6 == nil && r.7)
        #expect(r.8 == [1, 2])
    }

    @Test func wrongParameterCountIsAnError() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        let statement = try db.prepare("SELECT ?, ?")
        #expect(statement.parameterCount == 2)
        let error = #expect(throws: SQLiteError.self) { try statement.bind([1]) }
        #expect(error?.code == SQLITE_RANGE)
        #expect(throws: SQLiteError.self) { try statement.bind(.null, at: 3) }
        #expect(throws: SQLiteError.self) { try statement.bind(.null, at: 0) }
    }

    @Test func statementRunsAgainWithNewBindings() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        let statement = try db.prepare("SELECT ? * 2")
        #expect(try statement.rows([3]) { $0.int(0) } == [6])
        #expect(try statement.rows([4]) { $0.int(0) } == [8])
    }

    @Test func runReportsChangedRows() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3)")
        #expect(try db.run("DELETE FROM t WHERE x >= ?", [2]) == 2)
        #expect(db.lastInsertRowID == 3)
    }

    @Test func emptySQLIsRejected() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        let error = #expect(throws: SQLiteError.self) { try db.prepare("  ") }
        #expect(error?.code == SQLITE_MISUSE)
    }
}
