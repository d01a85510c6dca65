import Foundation
import LoradSystem
import LoradTestSupport
import Testing

@testable import LoradStore

/// Deterministic pseudo-random bytes (SplitMix64), so tests need no fixtures.
func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var generator = SplitMix64(seed: seed)
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
}

/// The files under `path`, relative, sorted.
func filesUnder(_ path: String) -> [String] {
    let enumerator = FileManager.default.enumerator(atPath: path)
    var files: [String] = []
    while let next = enumerator?.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path + "/" + next, isDirectory: &isDirectory), !isDirectory.boolValue {
            files.append(next)
        }
    }
    return files.sorted()
}

/// Runs `body` with a prepared blob store in a fresh folder (and that folder).
func withBlobStore(_ body: (BlobStore, String) throws -> Void) throws {
    try TemporaryDirectory.with { dir in
        let store = BlobStore(root: dir + "/blobs")
        try store.prepare()
        try body(store, dir)
    }
}

@Suite struct BlobStoreTests {
    @Test func putStoresContentAddressedAndReadsBack() throws {
        try withBlobStore { store, dir throws in
            let bytes = pseudoRandomBytes(count: 10_000, seed: 1)
            let digest = try store.put(bytes)
            #expect(digest == BlobDigest(of: bytes))
            #expect(store.path(for: digest) == dir + "/blobs/sha256/\(digest.hex.prefix(2))/\(digest.hex).lorapack")
            #expect(filesUnder(dir + "/blobs") == ["sha256/\(digest.hex.prefix(2))/\(digest.hex).lorapack"])
            #expect(try contents(of: store.read(digest, verify: true)) == bytes)
            #expect(try store.size(of: digest) == 10_000)
            #expect(store.contains(digest))
            #expect(try store.list() == [digest])
        }
    }

    @Test func putIsIdempotentAndHandlesEmptyBlobs() throws {
        try withBlobStore { store, dir throws in
            let first = try store.put([1, 2, 3])
            let again = try store.put([1, 2, 3])
            let empty = try store.put([])
            #expect(first == again)
            #expect(try store.list() == [first, empty].sorted())
            #expect(try store.read(empty, verify: true).count == 0)
            #expect(filesUnder(dir + "/blobs").count == 2)
        }
    }

    @Test func putRepairsADamagedFileOfTheSameName() throws {
        try withBlobStore { store, dir throws in
            let bytes = pseudoRandomBytes(count: 4096, seed: 2)
            let digest = try store.put(bytes)
            var garbage = bytes
            garbage[100] ^= 0xFF
            try Data(garbage).write(to: URL(fileURLWithPath: store.path(for: digest)))
            let error = #expect(throws: BlobStoreError.self) { try store.read(digest, verify: true) }
            guard case .damaged(digest, let actual, _) = error else {
                Issue.record("got \(String(describing: error))")
                return
            }
            #expect(actual == BlobDigest(of: garbage))
            #expect(error?.description.contains("damaged") == true)
            try store.put(bytes)
            #expect(try contents(of: store.read(digest, verify: true)) == bytes)
        }
    }

    @Test func missingBlobsAreReportedClearly() throws {
        try withBlobStore { store, dir throws in
            let digest = BlobDigest(of: [9])
            let error = #expect(throws: BlobStoreError.self) { try store.read(digest) }
            #expect(error == .missing(digest, path: store.path(for: digest)))
            #expect(throws: BlobStoreError.self) { try store.size(of: digest) }
            #expect(try store.remove(digest) == nil)
            #expect(!store.contains(digest))
        }
    }

    @Test func somethingElseAtTheBlobPathIsRefused() throws {
        try withBlobStore { store, dir throws in
            let digest = BlobDigest(of: [7])
            try FileManager.default.createDirectory(atPath: store.path(for: digest), withIntermediateDirectories: true)
            let error = #expect(throws: BlobStoreError.self) { try store.put([7]) }
            #expect(error == .notAFile(path: store.path(for: digest)))
        }
    }

    @Test func removeReturnsTheFreedSize() throws {
        try withBlobStore { store, dir throws in
            let digest = try store.put(pseudoRandomBytes(count: 777, seed: 3))
            let mapped = try store.read(digest)
            #expect(try store.remove(digest) == 777)
            #expect(try store.list().isEmpty)
            // A mapping outlives the removal.
            #expect(mapped.count == 777)
        }
    }

    @Test func gcRemovesUnkeptBlobsAndTempFilesButNotStrangers() throws {
        try withBlobStore { store, dir throws in
            let keep = try store.put(pseudoRandomBytes(count: 100, seed: 4))
            let drop = try store.put(pseudoRandomBytes(count: 200, seed: 5))
            let folder = dir + "/blobs/sha256/" + keep.hex.prefix(2)
            try Data(count: 50).write(to: URL(fileURLWithPath: folder + "/.tmp-0123456789abcdef-42"))
            try Data(count: 5).write(to: URL(fileURLWithPath: folder + "/notes.txt"))
            let result = try store.gc(keeping: [keep])
            #expect(result.removedBlobs == [drop])
            #expect(result.removedTemporaries == [folder + "/.tmp-0123456789abcdef-42"])
            #expect(result.freedBytes == 250)
            #expect(try store.list() == [keep])
            #expect(try store.scan().strays == [folder + "/notes.txt"])
        }
    }

    @Test func interruptedPutLeavesOnlyATempFile() throws {
        try withBlobStore { store, dir throws in
            let bytes = pseudoRandomBytes(count: 300, seed: 6)
            // A simulated crash skips cleanup: the temp file stays.
            #expect(throws: AdapterStore.SimulatedCrash.self) {
                try bytes.withUnsafeBytes { raw in
                    try store.put(raw, checkpoint: { point in
                        if point == .afterBlobTemp { throw AdapterStore.SimulatedCrash(point: point) }
                    })
                }
            }
            #expect(try store.list().isEmpty)
            #expect(try store.scan().temporaries.count == 1)
            // Any other failure cleans up after itself.
            struct Boom: Error {}
            #expect(throws: Boom.self) {
                try bytes.withUnsafeBytes { raw in
                    try store.put(raw, checkpoint: { point in if point == .afterBlobTemp { throw Boom() } })
                }
            }
            #expect(try store.scan().temporaries.count == 1)
            #expect(try store.gc(keeping: []).removedTemporaries.count == 1)
            #expect(filesUnder(dir + "/blobs").isEmpty)
        }
    }
}

/// A copy of a mapped region's bytes (keeping the region alive while copying).
func contents(of region: MappedRegion) -> [UInt8] {
    region.withUnsafeBytes { Array($0) }
}
