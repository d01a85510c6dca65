/// Store-level failures of `AdapterStore` (the catalog and blob layers throw
/// `CatalogError` and `BlobStoreError`); `description` is one line.
public enum AdapterStoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A write was asked of a store opened read-only.
    case readOnly(root: String)
    /// A blob's size differs from the catalog's record: (reference, recorded, actual).
    case sizeMismatch(AdapterReference, recorded: Int, actual: Int)
    /// The root exists but is not a folder, or lacks the store's layout.
    case notAStore(root: String, reason: String)
    /// The blob holding a version's pack is missing, damaged or not a file: (the version,
    /// what the blob layer found). I/O failures stay `BlobStoreError.io`.
    case unreadablePack(AdapterReference, BlobStoreError)

    /// One line: what was wrong and what to do.
    public var description: String {
        switch self {
        case .readOnly(let root):
            "the adapter store at \(root) is open read-only; ask the lorad daemon to make changes, or stop it and retry"
        case .sizeMismatch(let reference, let recorded, let actual):
            "the pack of \(reference) is \(actual) bytes but the catalog records \(recorded); run `loractl verify` and re-import it"
        case .notAStore(let root, let reason):
            "\(root) is not an adapter store (\(reason)); pass the store folder (it holds catalog.sqlite3 and blobs/)"
        case .unreadablePack(let reference, let error):
            "the stored pack of \(reference) cannot be used: \(error)"
        }
    }
}
