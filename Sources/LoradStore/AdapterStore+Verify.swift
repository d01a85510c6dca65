import LoradSystem

extension AdapterStore {
    /// Checks the whole store and returns what is wrong (empty when all is well).
    ///
    /// Checks, in order: SQLite's `PRAGMA quick_check` of the catalog; that every
    /// catalog row decodes; that every version's blob exists, has the recorded
    /// size and hashes to its name; `packVerifier` on each blob (once per blob, e.g.
    /// the pack's own checksums); and lists unreferenced blobs, temp files and
    /// stray files (`isDamage == false`).
    ///
    /// Reads every blob once: its cost is the store's size at SHA-256 speed. Runs
    /// beside other readers and writers; a version removed meanwhile is not
    /// reported.
    /// - Parameter packVerifier: checks a pack's bytes; its thrown error's
    ///   description becomes an `invalidPack` problem. Nil to skip.
    /// - Throws: only when the store cannot be read at all (`BlobStoreError.io`
    ///   on the blob folders, `CatalogError.sqlite`).
    public func verify(packVerifier: ((UnsafeRawBufferPointer) throws -> Void)? = nil) throws -> [AdapterStoreProblem] {
        var problems: [AdapterStoreProblem] = []
        let check = try withReader { catalog in
            try catalog.database.rows("PRAGMA quick_check") { $0.text(0) }
        }
        problems += check.filter { $0 != "ok" }.map(AdapterStoreProblem.catalog)
        let records: [AdapterRecord]
        do {
            records = try list(allVersions: true)
        } catch let error as CatalogError {
            guard case .corrupt(let message) = error else { throw error }
            return problems + [.catalog(message)]
        }
        let byBlob = Dictionary(grouping: records, by: \.blob)
        for digest in byBlob.keys.sorted() {
            let users = byBlob[digest] ?? []
            problems += verifyBlob(digest, users: users, packVerifier: packVerifier)
        }
        let contents = try blobs.scan()
        for digest in contents.blobs where byBlob[digest] == nil {
            problems.append(.unreferencedBlob(digest, bytes: (try? blobs.size(of: digest)) ?? 0))
        }
        problems += contents.temporaries.map { .leftoverTemporary(path: $0) }
        problems += contents.strays.map { .strayFile(path: $0) }
        return problems
    }

    /// The problems of one blob, reported for each version using it.
    private func verifyBlob(
        _ digest: BlobDigest, users: [AdapterRecord], packVerifier: ((UnsafeRawBufferPointer) throws -> Void)?
    ) -> [AdapterStoreProblem] {
        let region: MappedRegion
        do {
            region = try blobs.read(digest)
        } catch {
            // A version removed since the listing is not a problem.
            let current = users.filter { (try? resolve($0.reference)) != nil }
            if case .missing = error {
                return current.map { .missingBlob($0.reference, digest) }
            }
            return current.map { .unreadableBlob($0.reference, digest, error.description) }
        }
        var problems: [AdapterStoreProblem] = []
        for user in users where user.packedBytes != region.count {
            problems.append(.sizeMismatch(user.reference, digest, recorded: user.packedBytes, actual: region.count))
        }
        let actual = region.withUnsafeBytes { BlobDigest(of: $0) }
        guard actual == digest else {
            return problems + users.map { .damagedBlob($0.reference, digest, actual: actual) }
        }
        if let packVerifier {
            do {
                try region.withUnsafeBytes { try packVerifier($0) }
            } catch {
                problems += users.map { .invalidPack($0.reference, digest, String(describing: error)) }
            }
        }
        return problems
    }
}
