import CSQLite
import Foundation
import Testing

@testable import LoradStore

@Suite struct SQLiteDatabaseTests {
    @Test func opensFileInWALWithDurableSettings() throws {
        try TemporaryDirectory.with { dir in
            let db = try SQLiteDatabase(path: dir + "/a.sqlite3")
            #expect(try db.scalarText("PRAGMA journal_mode") == "wal")
            #expect(try db.scalarInt("PRAGMA synchronous") == 2)  // FULL
            #expect(try db.scalarInt("PRAGMA foreign_keys") == 1)
            #expect(try db.scalarInt("PRAGMA busy_timeout") == 5000)
            #expect(!db.isReadOnly)
        }
    }

    @Test func readOnlyOpenRefusesWritesAndMissingFiles() throws {
        try TemporaryDirectory.with { dir in
            let path = dir + "/a.sqlite3"
            #expect(throws: SQLiteError.self) { try SQLiteDatabase(path: path, flags: [.readOnly]) }
            let writer = try SQLiteDatabase(path: path)
            try writer.execute("CREATE TABLE t(x)")
            let reader = try SQLiteDatabase(path: path, flags: [.readOnly])
            let error = #expect(throws: SQLiteError.self) { try reader.run("INSERT INTO t VALUES (1)") }
            #expect(error?.code == SQLITE_READONLY)
            #expect(error?.description.contains("read-only") == true)
        }
    }

    @Test func garbageFileIsNotADatabase() throws {
        try TemporaryDirectory.with { dir in
            let path = dir + "/junk.sqlite3"
            try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: SQLiteError.self) { try SQLiteDatabase(path: path) }
            #expect(error?.code == SQLITE_NOTADB)
            #expect(error?.description.contains("damaged") == true)
        }
    }

    @Test func transactionCommitsOnReturnAndRollsBackOnThrow() throws {
        struct Boom: Error {}
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t(x INTEGER)")
        let value = try db.transaction {
            try db.run("INSERT INTO t VALUES (1)")
            return 7
        }
        #expect(value == 7)
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.run("INSERT INTO t VALUES (2)")
                throw Boom()
            }
        }
        #expect(!db.isInTransaction)
        #expect(try db.rows("SELECT x FROM t ORDER BY x") { $0.int(0) } == [1])
    }

    @Test func nestedTransactionRollsBackOnlyItsOwnPart() throws {
        struct Boom: Error {}
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t(x INTEGER)")
        try db.transaction {
            try db.run("INSERT INTO t VALUES (1)")
            try? db.transaction {
                try db.run("INSERT INTO t VALUES (2)")
                throw Boom()
            }
            try db.run("INSERT INTO t VALUES (3)")
        }
        #expect(try db.rows("SELECT x FROM t ORDER BY x") { $0.int(0) } == [1, 3])
    }

    @Test func abandoningErrorLeavesTransactionOpenAndUncommitted() throws {
        struct Crash: SQLiteAbandonsTransaction {}
        try TemporaryDirectory.with { dir in
            let path = dir + "/a.sqlite3"
            do {
                let db = try SQLiteDatabase(path: path)
                try db.execute("CREATE TABLE t(x INTEGER)")
                #expect(throws: Crash.self) {
                    try db.transaction {
                        try db.run("INSERT INTO t VALUES (1)")
                        throw Crash()
                    }
                }
                #expect(db.isInTransaction)
                // Another connection sees only committed data meanwhile.
                let other = try SQLiteDatabase(path: path, flags: [.readOnly])
                #expect(try other.scalarInt("SELECT COUNT(*) FROM t") == 0)
            }
            let reopened = try SQLiteDatabase(path: path)
            #expect(try reopened.scalarInt("SELECT COUNT(*) FROM t") == 0)
        }
    }

    @Test func errorsCarryMessageAndSQL() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        let error = #expect(throws: SQLiteError.self) { try db.prepare("SELEC 1") }
        #expect(error?.code == SQLITE_ERROR)
        #expect(error?.message.contains("syntax error") == true)
        #expect(error?.sql == "SELEC 1")
        #expect(error?.description.contains("`SELEC 1`") == true)

        try db.execute("CREATE TABLE u(x TEXT UNIQUE)")
        try db.run("INSERT INTO u VALUES ('a')")
        let unique = #expect(throws: SQLiteError.self) { try db.run("INSERT INTO u VALUES ('a')") }
        #expect(unique?.isConstraint == true)
        #expect(unique?.extendedCode == 2067)  // SQLITE_CONSTRAINT_UNIQUE
    }

    @Test func userVersionRoundTrips() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        #expect(try db.userVersion() == 0)
        try db.setUserVersion(42)
        #expect(try db.userVersion() == 42)
    }

    @Test func secondWriterWaitsThenReportsBusy() throws {
        try TemporaryDirectory.with { dir in
            let path = dir + "/a.sqlite3"
            let first = try SQLiteDatabase(path: path)
            try first.execute("CREATE TABLE t(x)")
            let second = try SQLiteDatabase(path: path, busyTimeoutMilliseconds: 10)
            try first.execute("BEGIN IMMEDIATE")
            let error = #expect(throws: SQLiteError.self) { try second.transaction { try second.run("INSERT INTO t VALUES (1)") } }
            #expect(error?.isBusy == true)
            #expect(error?.description.contains("another process") == true)
            // Readers are not blocked by the writer (WAL).
            #expect(try second.scalarInt("SELECT COUNT(*) FROM t") == 0)
            try first.execute("COMMIT")
        }
    }
}
