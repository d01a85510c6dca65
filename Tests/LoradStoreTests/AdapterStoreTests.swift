import Foundation
import LoradSystem
import Synchronization
import Testing

@testable import LoradStore

/// A pack stand-in: the store treats pack bytes as opaque.
func samplePack(_ seed: UInt64, count: Int = 20_000) -> [UInt8] { pseudoRandomBytes(count: count, seed: seed) }

@Suite struct AdapterStoreTests {
    @Test func openCreatesTheLayoutAndReopens() throws {
        try TemporaryDirectory.with { dir in
            let root = dir + "/store/nested"
            do {
                let store = try AdapterStore.open(root: root)
                #expect(!store.isReadOnly)
                try store.add(sampleRecord(), packBytes: samplePack(1))
            }
            #expect(FileManager.default.fileExists(atPath: root + "/catalog.sqlite3"))
            #expect(FileManager.default.fileExists(atPath: root + "/blobs/sha256"))
            let reopened = try AdapterStore.open(root: root)
            #expect(try reopened.list().map(\.reference.description) == ["disney@1"])
        }
    }

    @Test func addResolveAndLoadRoundTrip() throws {
        try TemporaryDirectory.with { dir in
            let store = try AdapterStore.open(root: dir)
            let pack1 = samplePack(1)
            let pack2 = samplePack(2, count: 12_345)
            let first = try store.add(sampleRecord(), packBytes: pack1)
            let second = try store.add(sampleRecord(), packBytes: pack2)
            #expect(first.version == 1 && second.version == 2)
            #expect(first.blob == BlobDigest(of: pack1) && first.packedBytes == pack1.count)
            #expect(second.packedBytes == 12_345)
            #expect(try store.resolve(.parse("disney")) == second)
            #expect(try contents(of: store.packBytes(for: store.resolve(.parse("disney@1")))) == pack1)
            #expect(try contents(of: store.packBytes(for: second)) == pack2)
            #expect(try store.list(allVersions: true).count == 2)
            #expect(try store.verify().isEmpty)
        }
    }

    @Test func resolveSeesEveryCommitDespiteItsMemory() throws {
        try TemporaryDirectory.with { dir in
            let store = try AdapterStore.open(root: dir)
            try store.add(sampleRecord(), packBytes: samplePack(1))
            #expect(try store.resolve(.parse("disney")).version == 1)
            #expect(try store.resolve(.parse("disney")).version == 1)
            // This store's own writer.
            try store.add(sampleRecord(), packBytes: samplePack(2))
            #expect(try store.resolve(.parse("disney")).version == 2)
            // Another connection to the same file (as another process would be).
            let other = try AdapterStore.open(root: dir)
            try other.add(sampleRecord(), packBytes: samplePack(3))
            #expect(try store.resolve(.parse("disney")).version == 3)
            try other.remove(.parse("disney@3"))
            #expect(try store.resolve(.parse("disney")).version == 2)
            try other.remove(.parse("disney"))
            #expect(throws: CatalogError.self) { try store.resolve(.parse("disney")) }
        }
    }

    @Test func identicalPacksShareOneBlobUntilTheLastUserGoes() throws {
        try TemporaryDirectory.with { dir in
            let store = try AdapterStore.open(root: dir)
            let pack = samplePack(3)
            try store.add(sampleRecord("a"), packBytes: pack)
            try store.add(sampleRecord("b"), packBytes: pack)
            try store.add(sampleRecord("b"), packBytes: samplePack(4))
            #expect(try store.blobs.list().count == 2)
            #expect(try store.remove(.parse("a")).count == 1)
            #expect(try store.blobs.list().count == 2)  // b@1 still uses it
            #expect(try store.remove(.parse("b")).map(\.version) == [1, 2])
            #expect(try store.blobs.list().isEmpty)
            #expect(try store.list(allVersions: true).isEmpty)
        }
    }

    @Test func removeOneVersionDeletesOnlyItsBlob() throws {
        try TemporaryDirectory.with { dir in
            let store = try AdapterStore.open(root: dir)
            let first = try store.add(sampleRecord(), packBytes: samplePack(5))
            let second = try store.add(sampleRecord(), packBytes: samplePack(6))
            try store.remove(.parse("disney@2"))
            #expect(try store.blobs.list() == [first.blob])
            #expect(!store.blobs.contains(second.blob))
            #expect(try store.resolve(.parse("disney")) == first)
            let error = #expect(throws: CatalogError.self) { try store.remove(.parse("disney@2")) }
            #expect(error?.description.contains("has no version 2") == true)
        }
    }

    @Test func invalidRecordWritesNothing() throws {
        try TemporaryDirectory.with { dir in
            let store = try AdapterStore.open(root: dir)
            var record = sampleRecord()
            record.rank = 0
            #expect(throws: CatalogError.self) { try store.add(record, packBytes: samplePack(7)) }
            #expect(try store.blobs.list().isEmpty)
            #expect(try store.verify().isEmpty)
        }
    }

    @Test func failedCatalogWriteRemovesTheNewBlob() throws {
        struct DiskFull: Error {}
        try TemporaryDirectory.with { dir in
            let kept = samplePack(8)
            do {
                let store = try AdapterStore.open(root: dir)
                try store.add(sampleRecord("old"), packBytes: kept)
            }
            let store = try AdapterStore.open(root: dir) { point in
                if point == .beforeCatalogCommit { throw DiskFull() }
            }
            #expect(throws: DiskFull.self) { try store.add(sampleRecord("new"), packBytes: samplePack(9)) }
            // Re-adding an existing blob that then fails must not delete it.
            #expect(throws: DiskFull.self) { try store.add(sampleRecord("new"), packBytes: kept) }
            #expect(try store.list().map(\.name) == ["old"])
            #expect(try store.blobs.list() == [BlobDigest(of: kept)])
            #expect(try store.verify().isEmpty)
        }
    }

    @Test func readOnlyStoreReadsButRefusesWrites() throws {
        try TemporaryDirectory.with { dir in
            let missing = #expect(throws: AdapterStoreError.self) { try AdapterStore.open(root: dir + "/none", readOnly: true) }
            #expect(missing?.description.contains("not an adapter store") == true)
            let writer = try AdapterStore.open(root: dir)
            let record = try writer.add(sampleRecord(), packBytes: samplePack(10))
            let reader = try AdapterStore.open(root: dir, readOnly: true)
            #expect(reader.isReadOnly)
            #expect(try reader.resolve(.parse("disney")) == record)
            #expect(try contents(of: reader.packBytes(for: record)) == samplePack(10))
            let refused = #expect(throws: AdapterStoreError.self) { try reader.add(sampleRecord(), packBytes: [1]) }
            #expect(refused == .readOnly(root: dir))
            #expect(throws: AdapterStoreError.self) { try reader.remove(.parse("disney")) }
            #expect(throws: AdapterStoreError.self) { try reader.gc() }
            // The reader sees the writer's later commits.
            try writer.add(sampleRecord(), packBytes: samplePack(11))
            #expect(try reader.resolve(.parse("disney")).version == 2)
        }
    }

    @Test func gcRemovesOrphansAndTempFilesOnly() throws {
        try TemporaryDirectory.with { dir in
            let store = try AdapterStore.open(root: dir)
            let record = try store.add(sampleRecord(), packBytes: samplePack(12))
            let orphan = try store.blobs.put(samplePack(13, count: 1000))
            let temp = store.blobs.folder(for: orphan) + "/.tmp-deadbeef-1"
            try Data(count: 10).write(to: URL(fileURLWithPath: temp))
            #expect(try store.verify().map(\.isDamage) == [false, false])
            let result = try store.gc()
            #expect(result.removedBlobs == [orphan])
            #expect(result.removedTemporaries == [temp])
            #expect(result.freedBytes == 1010)
            #expect(try store.blobs.list() == [record.blob])
            #expect(try store.verify().isEmpty)
        }
    }

    @Test func verifyReportsTruncatedGarbageAndMissingBlobs() throws {
        try TemporaryDirectory.with { dir in
            let store = try AdapterStore.open(root: dir)
            let truncated = try store.add(sampleRecord("truncated"), packBytes: samplePack(14))
            let garbage = try store.add(sampleRecord("garbage"), packBytes: samplePack(15))
            let missing = try store.add(sampleRecord("missing"), packBytes: samplePack(16))
            let fine = try store.add(sampleRecord("fine"), packBytes: samplePack(17))
            try Data(samplePack(14).prefix(5000)).write(to: URL(fileURLWithPath: store.blobs.path(for: truncated.blob)))
            try Data(samplePack(99)).write(to: URL(fileURLWithPath: store.blobs.path(for: garbage.blob)))
            try FileManager.default.removeItem(atPath: store.blobs.path(for: missing.blob))

            let problems = try store.verify()
            #expect(problems.allSatisfy { $0.isDamage })
            #expect(problems.contains(.missingBlob(missing.reference, missing.blob)))
            #expect(problems.contains(.sizeMismatch(truncated.reference, truncated.blob, recorded: 20_000, actual: 5000)))
            #expect(problems.contains(.damagedBlob(garbage.reference, garbage.blob, actual: BlobDigest(of: samplePack(99)))))
            #expect(problems.count == 4)  // truncated: size + hash
            #expect(!problems.contains { $0.description.contains("fine") })
            #expect(problems.allSatisfy { !$0.description.contains("\n") })

            #expect(throws: AdapterStoreError.self) { try store.packBytes(for: truncated) }
            // A session or export of a damaged or missing blob names the adapter (the fault
            // tests, Tests/Faults, found the message naming only the blob's path).
            let damaged = AdapterStoreError.unreadablePack(
                garbage.reference,
                .damaged(garbage.blob, actual: BlobDigest(of: samplePack(99)), path: store.blobs.path(for: garbage.blob)))
            #expect(throws: damaged) { try store.packBytes(for: garbage) }
            #expect(damaged.description.hasPrefix("the stored pack of garbage@1 cannot be used: blob "))
            let gone = AdapterStoreError.unreadablePack(
                missing.reference, .missing(missing.blob, path: store.blobs.path(for: missing.blob)))
            #expect(throws: gone) { try store.packBytes(for: missing) }
            #expect(gone.description.hasPrefix("the stored pack of missing@1 cannot be used: blob "))
            #expect(try store.packBytes(for: fine).count == 20_000)
        }
    }

    @Test func verifyRunsThePackVerifierOncePerBlob() throws {
        struct BadChecksum: Error, CustomStringConvertible { var description: String { "tensor 3 checksum mismatch" } }
        try TemporaryDirectory.with { dir in
            let store = try AdapterStore.open(root: dir)
            let bad = samplePack(18)
            try store.add(sampleRecord("a"), packBytes: bad)
            try store.add(sampleRecord("b"), packBytes: bad)
            try store.add(sampleRecord("c"), packBytes: samplePack(19))
            let calls = Mutex(0)
            let problems = try store.verify { bytes in
                calls.withLock { $0 += 1 }
                if bytes.elementsEqual(bad) { throw BadChecksum() }
            }
            #expect(calls.withLock { $0 } == 2)
            #expect(problems.map(\.description).sorted() == [
                "a@1: its pack sha256:\(BlobDigest(of: bad).hex) is invalid: tensor 3 checksum mismatch; re-import it, or remove it with `loractl remove`",
                "b@1: its pack sha256:\(BlobDigest(of: bad).hex) is invalid: tensor 3 checksum mismatch; re-import it, or remove it with `loractl remove`",
            ])
        }
    }

    @Test func concurrentReadersAndWritersShareOneStore() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AdapterStore.open(root: directory.path)
        try store.add(sampleRecord("seed"), packBytes: samplePack(20))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for round in 0..<5 {
                        try store.add(sampleRecord("w\(writer)"), packBytes: samplePack(UInt64(100 * writer + round), count: 2000))
                    }
                }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<20 {
                        let record = try store.resolve(.parse("seed"))
                        #expect(try store.packBytes(for: record).count == 20_000)
                        _ = try store.list()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try store.list().map(\.reference.description) == ["seed@1", "w0@5", "w1@5", "w2@5", "w3@5"])
        #expect(try store.verify().isEmpty)
    }
}

/// Interrupts store operations at every fault point, as a power cut would, then
/// reopens the store from disk (and from a copy taken at that instant) and checks
/// that it holds exactly the old state or the new one.
@Suite struct AdapterStoreCrashTests {
    typealias FaultPoint = AdapterStore.FaultPoint

    /// What a reopened store must hold: the packs by adapter reference, and the
    /// kinds of leftovers `verify` may report (which `gc` must then clear).
    struct Expected {
        var packs: [String: [UInt8]]
        var leftovers: [String]
    }

    /// Fills a new store with `populate`, runs `operation` on it with a hook that
    /// copies the store folder and crashes at `point`, drops the crashed store
    /// (no cleanup, like a dead process), then checks both the copy (the disk at
    /// the instant of the crash) and the store itself against `expected`.
    static func crash(
        at point: FaultPoint, populate: (AdapterStore) throws -> Void, operation: (AdapterStore) throws -> Void,
        expected: Expected, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try TemporaryDirectory.with { dir in
            let root = dir + "/store"
            let snapshot = dir + "/snapshot"
            try populate(AdapterStore.open(root: root))
            do {
                let store = try AdapterStore.open(root: root) { reached in
                    guard reached == point else { return }
                    try FileManager.default.copyItem(atPath: root, toPath: snapshot)
                    throw AdapterStore.SimulatedCrash(point: reached)
                }
                #expect(throws: AdapterStore.SimulatedCrash.self, sourceLocation: sourceLocation) { try operation(store) }
            }
            #expect(FileManager.default.fileExists(atPath: snapshot), sourceLocation: sourceLocation)
            try check(root: snapshot, expected, sourceLocation: sourceLocation)
            try check(root: root, expected, sourceLocation: sourceLocation)
        }
    }

    /// Reopens `root` and checks it against `expected`; then that gc leaves a clean
    /// store and that the store accepts new work.
    static func check(root: String, _ expected: Expected, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let store = try AdapterStore.open(root: root, busyTimeoutMilliseconds: 1000)
        let records = try store.list(allVersions: true)
        #expect(records.map(\.reference.description) == expected.packs.keys.sorted(), sourceLocation: sourceLocation)
        for record in records {
            #expect(try contents(of: store.packBytes(for: record)) == expected.packs[record.reference.description],
                sourceLocation: sourceLocation)
        }
        let problems = try store.verify()
        #expect(problems.filter(\.isDamage).isEmpty, "\(problems)", sourceLocation: sourceLocation)
        let leftovers = problems.map { problem in
            switch problem {
            case .leftoverTemporary: "temporary"
            case .unreferencedBlob: "unreferenced"
            default: "\(problem)"
            }
        }
        #expect(leftovers.sorted() == expected.leftovers.sorted(), sourceLocation: sourceLocation)
        try store.gc()
        #expect(try store.verify().isEmpty, sourceLocation: sourceLocation)
        #expect(try Set(store.blobs.list()) == Set(records.map(\.blob)), sourceLocation: sourceLocation)
        let next = try store.add(sampleRecord("next"), packBytes: samplePack(77))
        #expect(try store.resolve(.parse("next")) == next, sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        (FaultPoint.afterBlobTemp, false, ["temporary"]),
        (FaultPoint.afterBlobRename, false, ["unreferenced"]),
        (FaultPoint.beforeCatalogCommit, false, ["unreferenced"]),
        (FaultPoint.afterCatalogCommit, true, []),
    ])
    func interruptedAddLeavesOldOrNewState(point: FaultPoint, committed: Bool, leftovers: [String]) throws {
        let oldPack = samplePack(1)
        let newPack = samplePack(2)
        var packs = ["old@1": oldPack]
        if committed { packs["new@1"] = newPack }
        try Self.crash(
            at: point, populate: { try $0.add(sampleRecord("old"), packBytes: oldPack) },
            operation: { try $0.add(sampleRecord("new"), packBytes: newPack) },
            expected: Expected(packs: packs, leftovers: leftovers))
    }

    @Test(arguments: [
        (FaultPoint.beforeRemoveCommit, false, [String]()),
        (FaultPoint.afterRemoveCommit, true, ["unreferenced"]),
        (FaultPoint.afterBlobRemove, true, []),
    ])
    func interruptedRemoveLeavesOldOrNewState(point: FaultPoint, committed: Bool, leftovers: [String]) throws {
        let shared = samplePack(3)
        let own = samplePack(4)
        try Self.crash(
            at: point,
            populate: { store in
                try store.add(sampleRecord("a"), packBytes: shared)
                try store.add(sampleRecord("a"), packBytes: own)
                try store.add(sampleRecord("b"), packBytes: shared)
            },
            operation: { try $0.remove(.parse("a")) },
            expected: Expected(
                packs: committed ? ["b@1": shared] : ["a@1": shared, "a@2": own, "b@1": shared], leftovers: leftovers))
    }

    @Test func interruptedGCLosesNothingReferenced() throws {
        let kept = samplePack(5)
        try Self.crash(
            at: .afterBlobRemove,
            populate: { store in
                try store.add(sampleRecord("kept"), packBytes: kept)
                try store.blobs.put(samplePack(6))
                try store.blobs.put(samplePack(7))
            },
            operation: { try $0.gc() },
            expected: Expected(packs: ["kept@1": kept], leftovers: ["unreferenced"]))
    }
}
