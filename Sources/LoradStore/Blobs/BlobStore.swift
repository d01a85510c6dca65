import LoradSystem

/// Content-addressed, durably written files: each blob is stored once, named by
/// the SHA-256 of its bytes, at `<root>/sha256/<first two hex digits>/<hex>.lorapack`.
///
/// Writes are crash-safe: a blob is written to a temp file (`.tmp-*`) in its final
/// folder, fsynced, renamed into place, and the folder fsynced. A crash leaves the
/// blob complete or absent, plus at worst a temp file that `gc` removes. Blobs are
/// never modified or truncated after the rename, so a mapping of one stays valid
/// (even after the blob is removed).
///
/// The struct holds only paths and is `Sendable`. It does no locking: `gc` must not
/// run while another `put` is in flight (it would remove that put's temp file).
/// `AdapterStore` guarantees this by doing both under the catalog's write lock.
public struct BlobStore: Sendable {
    /// The blob folder (`<store>/blobs`).
    public let root: String

    /// The file name extension of a blob.
    public static let fileExtension = "lorapack"
    /// The prefix of a temp file name.
    static let temporaryPrefix = ".tmp-"

    /// A store rooted at `root`; does no I/O (see `prepare()`).
    public init(root: String) {
        self.root = root
    }

    /// Creates `root` and `root/sha256` when missing.
    ///
    /// - Throws: `BlobStoreError.io` when a folder cannot be created.
    public func prepare() throws(BlobStoreError) {
        try io { () throws(SystemError) in
            try DurableFile.makeDirectory(root + "/sha256", createIntermediates: true)
        }
    }

    /// The folder a blob lives in.
    func folder(for digest: BlobDigest) -> String {
        root + "/sha256/" + digest.hex.prefix(2)
    }

    /// The path of a blob's file (whether or not it exists).
    public func path(for digest: BlobDigest) -> String {
        folder(for: digest) + "/" + digest.hex + "." + Self.fileExtension
    }

    /// True when a file for `digest` exists (its content is not checked).
    public func contains(_ digest: BlobDigest) -> Bool {
        FileStatus.isRegularFile(path(for: digest))
    }

    /// The size in bytes of a stored blob.
    ///
    /// - Throws: `BlobStoreError.missing`, `.io`.
    public func size(of digest: BlobDigest) throws(BlobStoreError) -> Int {
        let path = path(for: digest)
        do {
            return try FileStatus(path: path).size
        } catch {
            throw error.isNotFound ? .missing(digest, path: path) : .io(error)
        }
    }

    /// Stores `bytes` durably and returns their digest.
    ///
    /// Idempotent: when the blob exists with the right content, nothing is written;
    /// when a file of that name exists but is damaged, it is replaced.
    /// - Throws: `BlobStoreError.io` (then the store is unchanged but for a temp
    ///   file that `gc` removes), `.notAFile`.
    @discardableResult
    public func put(_ bytes: [UInt8]) throws -> BlobDigest {
        try bytes.withUnsafeBytes { raw in try put(raw, checkpoint: { _ in }).digest }
    }

    /// Stores `bytes` durably and returns their digest (see `put(_:)` for `[UInt8]`).
    @discardableResult
    public func put(_ bytes: UnsafeRawBufferPointer) throws -> BlobDigest {
        try put(bytes, checkpoint: { _ in }).digest
    }

    /// `put`, calling `checkpoint` at each fault point; an error `checkpoint`
    /// throws is rethrown, and a `AdapterStore.SimulatedCrash` skips all cleanup
    /// (the temp file stays, as after a power cut). `written` is false when the
    /// blob was already stored intact.
    func put(
        _ bytes: UnsafeRawBufferPointer, checkpoint: (AdapterStore.FaultPoint) throws -> Void
    ) throws -> (digest: BlobDigest, written: Bool) {
        let digest = BlobDigest(of: bytes)
        let target = path(for: digest)
        if try isIntact(digest, at: target, size: bytes.count) { return (digest, false) }
        let folder = folder(for: digest)
        try io { () throws(SystemError) in try ensureFolder(folder) }
        let temporary = folder + "/" + Self.temporaryPrefix + digest.hex.prefix(16) + "-"
            + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let file = try io { () throws(SystemError) in try FileDescriptor.open(temporary, .writeOnly, options: [.exclusiveCreate, .noFollow]) }
        var renamed = false
        do {
            do {
                defer { try? file.close() }
                try io { () throws(SystemError) in
                    try file.write(bytes)
                    try file.fsync()
                }
            }
            try checkpoint(.afterBlobTemp)
            try io { () throws(SystemError) in try DurableFile.rename(temporary, to: target) }
            renamed = true
            try checkpoint(.afterBlobRename)
            try io { () throws(SystemError) in try DurableFile.fsyncDirectory(folder) }
        } catch {
            if !renamed, !(error is AdapterStore.SimulatedCrash) {
                try? DurableFile.removeFile(temporary, ignoringMissing: true)
            }
            throw error
        }
        return (digest, true)
    }

    /// True when `path` holds exactly the blob `digest` of `size` bytes; false when
    /// nothing is there or the file is damaged (and will be replaced).
    private func isIntact(_ digest: BlobDigest, at path: String, size: Int) throws(BlobStoreError) -> Bool {
        let status: FileStatus
        do {
            status = try FileStatus(path: path, followSymlinks: false)
        } catch {
            if error.isNotFound { return false }
            throw .io(error)
        }
        guard status.isRegularFile else { throw .notAFile(path: path) }
        guard status.size == size else { return false }
        let region = try io { () throws(SystemError) in try MappedRegion(path: path) }
        return region.withUnsafeBytes { BlobDigest(of: $0) } == digest
    }

    /// Creates a fan-out folder when missing and makes its entry durable.
    private func ensureFolder(_ folder: String) throws(SystemError) {
        guard !FileStatus.isDirectory(folder) else { return }
        try DurableFile.makeDirectory(folder, createIntermediates: true)
        try DurableFile.fsyncDirectory(root + "/sha256")
    }

    /// Maps a blob read-only; with `verify`, first checks that its SHA-256 is its
    /// name.
    ///
    /// The mapping shares the page cache (no copy) and stays valid after the blob
    /// is removed.
    /// - Throws: `BlobStoreError.missing`, `.damaged` (with `verify`), `.io`.
    public func read(_ digest: BlobDigest, verify: Bool = false) throws(BlobStoreError) -> MappedRegion {
        let path = path(for: digest)
        let region: MappedRegion
        do {
            region = try MappedRegion(path: path)
        } catch {
            throw error.isNotFound ? .missing(digest, path: path) : .io(error)
        }
        if verify {
            let actual = region.withUnsafeBytes { BlobDigest(of: $0) }
            guard actual == digest else { throw .damaged(digest, actual: actual, path: path) }
        }
        return region
    }

    /// Removes a blob; returns its size in bytes, or nil when it was not there.
    ///
    /// Not fsynced: a removal lost in a crash leaves an unreferenced blob that the
    /// next `gc` removes.
    /// - Throws: `BlobStoreError.io`.
    @discardableResult
    public func remove(_ digest: BlobDigest) throws(BlobStoreError) -> Int? {
        let path = path(for: digest)
        let size: Int
        do {
            size = try FileStatus(path: path, followSymlinks: false).size
        } catch {
            if error.isNotFound { return nil }
            throw .io(error)
        }
        try io { () throws(SystemError) in try DurableFile.removeFile(path, ignoringMissing: true) }
        return size
    }

    /// The digests of every stored blob, sorted.
    ///
    /// - Throws: `BlobStoreError.io` when a folder cannot be read.
    public func list() throws(BlobStoreError) -> [BlobDigest] {
        try scan().blobs
    }

    /// Removes every blob not in `keeping` and every temp file left by an
    /// interrupted `put`. Other files are left alone.
    ///
    /// Must not run concurrently with `put` (see the type's documentation).
    /// - Throws: `BlobStoreError.io`; what was removed before the failure stays removed.
    public func gc(keeping: Set<BlobDigest>) throws -> BlobGCResult {
        try gc(keeping: keeping, checkpoint: { _ in })
    }

    /// `gc`, calling `checkpoint` after each removal.
    func gc(
        keeping: Set<BlobDigest>, checkpoint: (AdapterStore.FaultPoint) throws -> Void
    ) throws -> BlobGCResult {
        let contents = try scan()
        var result = BlobGCResult()
        for digest in contents.blobs where !keeping.contains(digest) {
            if let size = try remove(digest) {
                result.removedBlobs.append(digest)
                result.freedBytes += size
            }
            try checkpoint(.afterBlobRemove)
        }
        for path in contents.temporaries {
            let size = (try? FileStatus(path: path, followSymlinks: false).size) ?? 0
            try io { () throws(SystemError) in try DurableFile.removeFile(path, ignoringMissing: true) }
            result.removedTemporaries.append(path)
            result.freedBytes += size
        }
        return result
    }

    /// What the blob folders hold.
    struct Contents {
        /// Well-named blobs, sorted.
        var blobs: [BlobDigest] = []
        /// Paths of temp files.
        var temporaries: [String] = []
        /// Paths of anything else (not ours; reported, never removed).
        var strays: [String] = []
    }

    /// Lists the fan-out folders. A missing `root/sha256` reads as empty.
    func scan() throws(BlobStoreError) -> Contents {
        let top = root + "/sha256"
        var contents = Contents()
        let folders: [String]
        do {
            folders = try DurableFile.listDirectory(top)
        } catch {
            if error.isNotFound { return contents }
            throw .io(error)
        }
        for folder in folders {
            let folderPath = top + "/" + folder
            guard folder.utf8.count == 2, FileStatus.isDirectory(folderPath) else {
                contents.strays.append(folderPath)
                continue
            }
            for name in try io({ () throws(SystemError) in try DurableFile.listDirectory(folderPath) }) {
                let path = folderPath + "/" + name
                if name.hasPrefix(Self.temporaryPrefix) {
                    contents.temporaries.append(path)
                } else if name.hasSuffix("." + Self.fileExtension),
                    let digest = BlobDigest(hex: String(name.dropLast(Self.fileExtension.count + 1))),
                    digest.hex.hasPrefix(folder)
                {
                    contents.blobs.append(digest)
                } else {
                    contents.strays.append(path)
                }
            }
        }
        contents.blobs.sort()
        return contents
    }

    /// Runs `body`, wrapping a `SystemError` as `BlobStoreError.io`.
    private func io<T>(_ body: () throws(SystemError) -> T) throws(BlobStoreError) -> T {
        do { return try body() } catch { throw .io(error) }
    }
}
