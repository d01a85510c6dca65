/// One finding of `AdapterStore.verify`. `description` is one line saying what is
/// wrong and what to do; `isDamage` separates real damage from leftovers that
/// `gc` clears.
public enum AdapterStoreProblem: Sendable, Hashable, CustomStringConvertible {
    /// SQLite's integrity check or the catalog's own rules failed.
    case catalog(String)
    /// A version's blob file does not exist.
    case missingBlob(AdapterReference, BlobDigest)
    /// A version's blob cannot be read: (reference, digest, the error).
    case unreadableBlob(AdapterReference, BlobDigest, String)
    /// A blob's size is not the recorded one.
    case sizeMismatch(AdapterReference, BlobDigest, recorded: Int, actual: Int)
    /// A blob's SHA-256 is not its name.
    case damagedBlob(AdapterReference, BlobDigest, actual: BlobDigest)
    /// The pack verifier rejected the blob: (reference, digest, its message).
    case invalidPack(AdapterReference, BlobDigest, String)
    /// A blob no version references (left by a crash or a failed delete).
    case unreferencedBlob(BlobDigest, bytes: Int)
    /// A temp file left by an interrupted write.
    case leftoverTemporary(path: String)
    /// A file in the blob folders that the store did not write.
    case strayFile(path: String)

    /// True for damage (a version cannot be loaded, or the catalog is broken);
    /// false for leftovers (`unreferencedBlob`, `leftoverTemporary`, `strayFile`).
    public var isDamage: Bool {
        switch self {
        case .catalog, .missingBlob, .unreadableBlob, .sizeMismatch, .damagedBlob, .invalidPack: true
        case .unreferencedBlob, .leftoverTemporary, .strayFile: false
        }
    }

    /// One line: what is wrong and what to do.
    public var description: String {
        let fix = "re-import it, or remove it with `loractl remove`"
        return switch self {
        case .catalog(let message):
            "catalog: \(message)"
        case .missingBlob(let reference, let digest):
            "\(reference): its pack blob \(digest) is missing; \(fix)"
        case .unreadableBlob(let reference, let digest, let message):
            "\(reference): its pack blob \(digest) cannot be read (\(message))"
        case .sizeMismatch(let reference, let digest, let recorded, let actual):
            "\(reference): its pack blob \(digest) is \(actual) bytes, the catalog says \(recorded); \(fix)"
        case .damagedBlob(let reference, let digest, let actual):
            "\(reference): its pack blob \(digest) is damaged (its SHA-256 is \(actual.hex)); \(fix)"
        case .invalidPack(let reference, let digest, let message):
            "\(reference): its pack \(digest) is invalid: \(message); \(fix)"
        case .unreferencedBlob(let digest, let bytes):
            "blob \(digest) (\(bytes) bytes) belongs to no adapter; `loractl gc` removes it"
        case .leftoverTemporary(let path):
            "\(path) is left over from an interrupted write; `loractl gc` removes it"
        case .strayFile(let path):
            "\(path) was not written by lorad; move it out of the blob store"
        }
    }
}
