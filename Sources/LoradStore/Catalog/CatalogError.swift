/// Why a catalog operation failed. Every case's `description` is one line saying
/// what was wrong and what to do.
public enum CatalogError: Error, CustomStringConvertible, Sendable {
    /// The adapter name breaks the naming rule.
    case invalidName(AdapterReferenceError)
    /// A field of a `NewAdapterRecord` breaks its limit: (field, what is wrong).
    case invalidField(String, String)
    /// No adapter has this name.
    case notFound(AdapterReference)
    /// The name exists but not this version: (name, version asked, versions held).
    case versionNotFound(String, Int, available: [Int])
    /// The name has used every version number up to `AdapterReference.maxVersion`.
    case versionsExhausted(String)
    /// A catalog row cannot be decoded (hand-edited or damaged file).
    case corrupt(String)
    /// The catalog was written by a newer lorad: (its schema version, ours).
    case schemaTooNew(found: Int, supported: Int)
    /// A read-only open found an older schema that needs a (writing) migration.
    case needsMigration(found: Int, supported: Int)
    /// SQLite failed.
    case sqlite(SQLiteError)

    /// One line: what was wrong and what to do.
    public var description: String {
        switch self {
        case .invalidName(let error):
            error.description
        case .invalidField(let field, let problem):
            "invalid \(field): \(problem)"
        case .notFound(let reference):
            "no adapter named \(Identifier.quoted(reference.name)) in the store; `loractl list` shows the stored adapters"
        case .versionNotFound(let name, let version, let available):
            "adapter \(Identifier.quoted(name)) has no version \(version); it has versions "
                + available.map(String.init).joined(separator: ", ") + " (write \(name)@N, or \(name) for the latest)"
        case .versionsExhausted(let name):
            "adapter \(Identifier.quoted(name)) has used every version number; import it under another name"
        case .corrupt(let problem):
            "the catalog is damaged: \(problem); restore catalog.sqlite3 from a backup or remove that adapter version"
        case .schemaTooNew(let found, let supported):
            "the catalog has schema version \(found) but this lorad understands up to \(supported); upgrade lorad"
        case .needsMigration(let found, let supported):
            "the catalog has schema version \(found) and needs an upgrade to \(supported); open the store read-write once (e.g. start lorad)"
        case .sqlite(let error):
            error.description
        }
    }
}
