import LoradTensors
import Testing

@testable import LoradStore

/// A valid record with a few of every field.
func sampleRecord(_ name: String = "disney", tags: [String] = ["style", "anime"], created: Int64? = 1_700_000_000) -> NewAdapterRecord {
    NewAdapterRecord(
        name: name, description: "Disney style, v1", tags: tags,
        bases: [CompatibleBase(fingerprint: String(repeating: "ab", count: 32), name: "cogvideox-5b")],
        rank: 64, alpha: 32, layout: "diffusers", prefix: "transformer.",
        targets: ["transformer_blocks.0.attn1.to_q", "transformer_blocks.0.attn1.to_k"],
        dtypes: [.bf16, .f32, .bf16], originalBytes: 1000, created: created)
}

let digestA = BlobDigest(of: Array("a".utf8))
let digestB = BlobDigest(of: Array("b".utf8))

@Suite struct CatalogTests {
    @Test func insertStoresEveryFieldAndNumbersVersions() throws {
        let catalog = try Catalog(path: ":memory:")
        let first = try catalog.insert(sampleRecord(), packedBytes: 600, blob: digestA)
        #expect(first.name == "disney" && first.version == 1)
        #expect(first.description == "Disney style, v1")
        #expect(first.created == 1_700_000_000)
        #expect(first.tags == ["anime", "style"])
        #expect(first.bases == [CompatibleBase(fingerprint: String(repeating: "ab", count: 32), name: "cogvideox-5b")])
        #expect(first.rank == 64 && first.alpha == 32)
        #expect(first.layout == "diffusers" && first.prefix == "transformer.")
        #expect(first.targets == ["transformer_blocks.0.attn1.to_q", "transformer_blocks.0.attn1.to_k"])
        #expect(first.dtypes == [.bf16, .f32])
        #expect(first.originalBytes == 1000 && first.packedBytes == 600)
        #expect(first.blob == digestA)
        #expect(first.reference.description == "disney@1")

        var new = sampleRecord(created: nil)
        new.alpha = nil
        let second = try catalog.insert(new, packedBytes: 700, blob: digestB)
        #expect(second.version == 2)
        #expect(second.alpha == nil)
        #expect(second.created > 1_700_000_000)  // the catalog's clock
        #expect(try catalog.resolve(.parse("disney")) == second)
        #expect(try catalog.resolve(.parse("disney@1")) == first)
        #expect(try catalog.versions(of: "disney").map(\.version) == [1, 2])
    }

    @Test func resolveReportsMissingNamesAndVersions() throws {
        let catalog = try Catalog(path: ":memory:")
        try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestA)
        try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestA)
        let missing = #expect(throws: CatalogError.self) { try catalog.resolve(.parse("nope")) }
        #expect(missing?.description.contains("loractl list") == true)
        let noVersion = #expect(throws: CatalogError.self) { try catalog.resolve(.parse("disney@9")) }
        guard case .versionNotFound("disney", 9, let available) = noVersion else {
            Issue.record("got \(String(describing: noVersion))")
            return
        }
        #expect(available == [1, 2])
        #expect(noVersion?.description.contains("versions 1, 2") == true)
    }

    @Test func listLatestOrAllSortedByteWiseWithFilters() throws {
        let catalog = try Catalog(path: ":memory:")
        try catalog.insert(sampleRecord("b", tags: ["x"]), packedBytes: 1, blob: digestA)
        try catalog.insert(sampleRecord("B", tags: []), packedBytes: 1, blob: digestA)
        try catalog.insert(sampleRecord("b", tags: []), packedBytes: 1, blob: digestB)
        var other = sampleRecord("a", tags: ["x"])
        other.bases = [CompatibleBase(fingerprint: String(repeating: "cd", count: 32), name: "other")]
        try catalog.insert(other, packedBytes: 1, blob: digestB)

        #expect(try catalog.list().map(\.reference.description) == ["B@1", "a@1", "b@2"])
        #expect(try catalog.list(allVersions: true).map(\.reference.description) == ["B@1", "a@1", "b@1", "b@2"])
        // The tag filter applies to the latest version: b@2 dropped the tag.
        #expect(try catalog.list(tag: "x").map(\.reference.description) == ["a@1"])
        #expect(try catalog.list(allVersions: true, tag: "x").map(\.reference.description) == ["a@1", "b@1"])
        #expect(try catalog.list(baseFingerprint: String(repeating: "cd", count: 32)).map(\.name) == ["a"])
        #expect(try catalog.referencedBlobs() == [digestA, digestB])
    }

    @Test func removeOneVersionKeepsNumbersUnique() throws {
        let catalog = try Catalog(path: ":memory:")
        try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestA)
        try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestB)
        let removed = try catalog.remove(.parse("disney@2"))
        #expect(removed.map(\.version) == [2])
        #expect(try catalog.resolve(.parse("disney")).version == 1)
        #expect(try !catalog.references(digestB))
        #expect(try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestB).version == 3)
        #expect(throws: CatalogError.self) { try catalog.remove(.parse("disney@2")) }
    }

    @Test func removeBareNameRemovesEveryVersionAndRestartsNumbering() throws {
        let catalog = try Catalog(path: ":memory:")
        try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestA)
        try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestB)
        try catalog.insert(sampleRecord("keep"), packedBytes: 1, blob: digestB)
        #expect(try catalog.remove(.parse("disney")).map(\.version) == [1, 2])
        #expect(try catalog.list(allVersions: true).map(\.name) == ["keep"])
        #expect(try catalog.database.scalarInt("SELECT COUNT(*) FROM adapter_tags") == 2)  // only keep's
        #expect(try catalog.database.scalarInt("SELECT COUNT(*) FROM adapter_targets") == 2)
        #expect(try catalog.referencedBlobs() == [digestB])
        #expect(throws: CatalogError.self) { try catalog.remove(.parse("disney")) }
        #expect(try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestA).version == 1)
    }

    @Test func removingTheOnlyVersionForgetsTheName() throws {
        let catalog = try Catalog(path: ":memory:")
        try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestA)
        try catalog.remove(.parse("disney@1"))
        #expect(try catalog.database.scalarInt("SELECT COUNT(*) FROM adapter_names") == 0)
        #expect(try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestA).version == 1)
    }

    @Test func failingBeforeCommitLeavesNothing() throws {
        struct Boom: Error {}
        let catalog = try Catalog(path: ":memory:")
        #expect(throws: Boom.self) {
            try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestA, beforeCommit: { throw Boom() })
        }
        #expect(try catalog.list(allVersions: true).isEmpty)
        #expect(try catalog.database.scalarInt("SELECT COUNT(*) FROM adapter_names") == 0)
        #expect(try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestA).version == 1)
    }

    /// One way a new record can break its rules, and the field the error names.
    enum Defect: CaseIterable, Sendable {
        case name, tag, fingerprint, baseName, rank, alpha, layout, nulInDescription, longDescription, emptyTarget
        case originalSize, created

        var field: String {
            switch self {
            case .name: "name"
            case .tag: "tag"
            case .fingerprint: "base fingerprint"
            case .baseName: "base name"
            case .rank: "rank"
            case .alpha: "alpha"
            case .layout: "layout"
            case .nulInDescription, .longDescription: "description"
            case .emptyTarget: "target"
            case .originalSize: "original size"
            case .created: "created"
            }
        }

        func apply(to r: inout NewAdapterRecord) {
            switch self {
            case .name: r.name = "bad name"
            case .tag: r.tags = ["ok", "not ok"]
            case .fingerprint: r.bases = [CompatibleBase(fingerprint: "abc", name: "x")]
            case .baseName: r.bases = [CompatibleBase(fingerprint: String(repeating: "0", count: 64), name: "")]
            case .rank: r.rank = 0
            case .alpha: r.alpha = .nan
            case .layout: r.layout = ""
            case .nulInDescription: r.description = "a\u{0}b"
            case .longDescription: r.description = String(repeating: "x", count: 4097)
            case .emptyTarget: r.targets = [""]
            case .originalSize: r.originalBytes = -1
            case .created: r.created = -5
            }
        }
    }

    @Test(arguments: Defect.allCases)
    func invalidRecordsAreRejectedAndStoreNothing(defect: Defect) throws {
        let catalog = try Catalog(path: ":memory:")
        var record = sampleRecord()
        defect.apply(to: &record)
        let error = #expect(throws: CatalogError.self) { try catalog.insert(record, packedBytes: 1, blob: digestA) }
        #expect(error?.description.contains(defect.field) == true, "\(String(describing: error))")
        #expect(try catalog.list(allVersions: true).isEmpty)
    }

    @Test func exhaustedOrDamagedVersionCounterIsAnErrorNotATrap() throws {
        let catalog = try Catalog(path: ":memory:")
        try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestA)
        try catalog.database.run("UPDATE adapter_names SET last_version = ?", [.integer(Int64.max)])
        let exhausted = #expect(throws: CatalogError.self) { try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestA) }
        #expect(exhausted?.description.contains("another name") == true)
        try catalog.database.run("UPDATE adapter_names SET last_version = ?", [.int(AdapterReference.maxVersion)])
        #expect(throws: CatalogError.self) { try catalog.insert(sampleRecord(), packedBytes: 1, blob: digestA) }
        #expect(try catalog.list(allVersions: true).count == 1)
    }

    @Test func negativePackedSizeIsRejected() throws {
        let catalog = try Catalog(path: ":memory:")
        #expect(throws: CatalogError.self) { try catalog.insert(sampleRecord(), packedBytes: -1, blob: digestA) }
    }
}
