import Foundation
import Synchronization
import Testing

@testable import LoradStore

/// The store's reads see one committed state of the catalog, however the writer commits
/// meanwhile. Found by the soak (Benchmarks/soak): STATS, listing every version while
/// clients imported and removed adapters, failed with "the catalog is damaged: soak-183-1@1
/// lists 0 targets but records 16", because the record's row and its targets were read by
/// two statements with a REMOVE committed between them.
@Suite struct AdapterStoreReadSnapshotTests {
    @Test func listingWhileTheWriterAddsAndRemovesSeesOnlyWholeRecords() throws {
        try TemporaryDirectory.with { dir in
            let store = try AdapterStore.open(root: dir)
            try store.add(sampleRecord("keeper"), packBytes: samplePack(1))
            let cycles = 200
            let writing = Atomic<Bool>(true)
            let writerError = Mutex<String?>(nil)
            let finished = DispatchSemaphore(value: 0)
            let writer = Thread {
                defer {
                    writing.store(false, ordering: .releasing)
                    finished.signal()
                }
                do {
                    for cycle in 0..<cycles {
                        try store.add(sampleRecord("churn"), packBytes: samplePack(UInt64(2 + cycle % 2)))
                        try store.remove(.parse("churn"))
                    }
                } catch {
                    writerError.withLock { $0 = "\(error)" }
                }
            }
            writer.start()
            var listings = 0
            var readerError: String?
            while writing.load(ordering: .acquiring) {
                do {
                    for record in try store.list(allVersions: true) where record.targets.count != 2 {
                        readerError = "\(record.reference) has \(record.targets.count) targets"
                    }
                    do {
                        _ = try store.resolve(.parse("churn"))
                    } catch CatalogError.notFound {
                        // Removed: a whole state too.
                    }
                } catch {
                    readerError = "\(error)"
                }
                listings += 1
                if readerError != nil { break }
            }
            finished.wait()
            #expect(writerError.withLock { $0 } == nil)
            #expect(readerError == nil, "after \(listings) listings")
            if readerError == nil { #expect(listings > cycles, "the reader must have read while the writer wrote") }
        }
    }
}
