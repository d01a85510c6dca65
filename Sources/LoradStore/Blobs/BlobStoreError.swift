import LoradSystem

/// Why a blob store operation failed; `description` is one line saying what was
/// wrong and what to do.
public enum BlobStoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// No blob with this digest: (digest, expected path).
    case missing(BlobDigest, path: String)
    /// The file's SHA-256 is not its name: (name, actual digest, path).
    case damaged(BlobDigest, actual: BlobDigest, path: String)
    /// Something other than a regular file sits where a blob belongs.
    case notAFile(path: String)
    /// A system call failed.
    case io(SystemError)

    /// One line: what was wrong and what to do.
    public var description: String {
        switch self {
        case .missing(let digest, let path):
            "blob \(digest) is missing (expected at \(path)); re-import the adapter or remove it, then run `loractl gc`"
        case .damaged(let digest, let actual, let path):
            "blob \(path) is damaged: its SHA-256 is \(actual.hex), not \(digest.hex); re-import the adapter or remove it"
        case .notAFile(let path):
            "\(path) is not a regular file; move it out of the blob store"
        case .io(let error):
            "blob store I/O failed: \(error); check the store folder's permissions and free space"
        }
    }
}
