import Synchronization

/// A `Catalog` (one SQLite connection) that many threads share by taking turns.
///
/// `@unchecked Sendable` is safe because the catalog is reached only through
/// `withLock`, which holds a `Mutex` for the whole call, so no two threads use the
/// connection at once; `withLock` returns only `Sendable` values, and its closure
/// must not let the `Catalog` escape (the closure is non-escaping, and `Catalog`
/// is not `Sendable`, so the compiler rejects handing it to another task).
/// (A `Mutex<Catalog>` alone does not compile here: region checking refuses to
/// pass its `inout sending` value to a caller-supplied closure.)
final class CatalogConnection: @unchecked Sendable {
    private let lock = Mutex(())
    private let catalog: Catalog

    /// Takes ownership of `catalog`; the caller must not use it afterwards.
    init(_ catalog: consuming sending Catalog) {
        self.catalog = catalog
    }

    /// Runs `body` with the catalog while holding the lock.
    func withLock<T: Sendable>(_ body: (Catalog) throws -> T) throws -> T {
        try lock.withLock { _ in try body(catalog) }
    }
}
