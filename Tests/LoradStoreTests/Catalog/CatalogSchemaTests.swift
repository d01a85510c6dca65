import Testing

@testable import LoradStore

@Suite struct CatalogSchemaTests {
    @Test func newFileGetsCurrentSchemaAndReopens() throws {
        try TemporaryDirectory.with { dir in
            let path = dir + "/catalog.sqlite3"
            do {
                let catalog = try Catalog(path: path)
                #expect(try catalog.database.userVersion() == Catalog.schemaVersion)
                try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestA)
            }
            let reopened = try Catalog(path: path)
            #expect(try reopened.list().count == 1)
            let reader = try Catalog(path: path, readOnly: true)
            #expect(try reader.list().count == 1)
        }
    }

    @Test func newerSchemaIsRefused() throws {
        try TemporaryDirectory.with { dir in
            let path = dir + "/catalog.sqlite3"
            try SQLiteDatabase(path: path).setUserVersion(99)
            let error = #expect(throws: CatalogError.self) { try Catalog(path: path) }
            guard case .schemaTooNew(found: 99, supported: Catalog.schemaVersion) = error else {
                Issue.record("got \(String(describing: error))")
                return
            }
            #expect(error?.description.contains("upgrade lorad") == true)
        }
    }

    @Test func readOnlyOpenOfOldSchemaAsksForAWritingOpen() throws {
        try TemporaryDirectory.with { dir in
            let path = dir + "/catalog.sqlite3"
            _ = try SQLiteDatabase(path: path)
            let error = #expect(throws: CatalogError.self) { try Catalog(path: path, readOnly: true) }
            guard case .needsMigration(found: 0, supported: _) = error else {
                Issue.record("got \(String(describing: error))")
                return
            }
        }
    }

    @Test func damagedRowsAreReportedNotTrusted() throws {
        let catalog = try Catalog(path: ":memory:")
        try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestA)
        try catalog.database.run("UPDATE adapters SET blob = ?", [.text(String(repeating: "z", count: 64))])
        let error = #expect(throws: CatalogError.self) { try catalog.list() }
        #expect(error?.description.contains("damaged") == true)

        try catalog.database.run("UPDATE adapters SET blob = ?, dtypes = 'BF16,Q7'", [.text(digestA.hex)])
        #expect(throws: CatalogError.self) { try catalog.resolve(.parse("disney")) }

        try catalog.database.run("UPDATE adapters SET dtypes = 'BF16', target_count = 5")
        let count = #expect(throws: CatalogError.self) { try catalog.resolve(.parse("disney")) }
        #expect(count?.description.contains("targets") == true)
    }
}
