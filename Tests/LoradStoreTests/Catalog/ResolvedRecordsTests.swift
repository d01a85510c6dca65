import LoradTensors
import Testing

@testable import LoradStore

@Suite struct ResolvedRecordsTests {
    private func record(_ name: String, version: Int) -> AdapterRecord {
        AdapterRecord(
            name: name, version: version, description: "", created: 0, tags: [], bases: [], rank: 4, alpha: nil,
            layout: "diffusers", prefix: "", targets: ["t"], dtypes: [.bf16], originalBytes: 1, packedBytes: 1,
            blob: digestA)
    }

    @Test func answersFromMemoryWhileTheVersionHolds() throws {
        let cache = ResolvedRecords()
        var calls = 0
        let resolve = { () throws -> AdapterRecord in
            calls += 1
            return self.record("a", version: calls)
        }
        #expect(try cache.record(for: try .parse("a"), dataVersion: 7, resolve: resolve).version == 1)
        #expect(try cache.record(for: try .parse("a"), dataVersion: 7, resolve: resolve).version == 1)
        #expect(calls == 1)
        // Another connection committed: everything is looked up again.
        #expect(try cache.record(for: try .parse("a"), dataVersion: 8, resolve: resolve).version == 2)
        #expect(calls == 2)
        // Other references are separate entries.
        #expect(try cache.record(for: try .parse("a@1"), dataVersion: 8, resolve: resolve).version == 3)
        #expect(calls == 3)
    }

    @Test func failuresAreNotRemembered() throws {
        let cache = ResolvedRecords()
        struct Missing: Error {}
        #expect(throws: Missing.self) { try cache.record(for: try .parse("a"), dataVersion: 1) { throw Missing() } }
        #expect(try cache.record(for: try .parse("a"), dataVersion: 1) { self.record("a", version: 1) }.version == 1)
    }

    @Test func staysWithinItsCapacity() throws {
        let cache = ResolvedRecords(capacity: 2)
        var calls = 0
        for name in ["a", "b", "c", "a"] {
            _ = try cache.record(for: try .parse(name), dataVersion: 1) {
                calls += 1
                return self.record(name, version: 1)
            }
        }
        // "c" did not fit beside "a" and "b", so the cache was emptied and "a" looked up again.
        #expect(calls == 4)
    }
}
