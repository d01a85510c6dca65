import LoradStore
import LoradWire

extension CatalogError: WireReportable {
    /// `not_found` for missing names and versions, `invalid_argument` for bad names and
    /// fields, `resource_exhausted` when versions run out, `corrupt` for a damaged catalog,
    /// `internal` for schema and SQLite failures.
    public var wireCode: ErrorCode {
        switch self {
        case .notFound, .versionNotFound: .notFound
        case .invalidName, .invalidField: .invalidArgument
        case .versionsExhausted: .resourceExhausted
        case .corrupt: .corrupt
        case .schemaTooNew, .needsMigration, .sqlite: .internal
        }
    }
}

extension BlobStoreError: WireReportable {
    /// `corrupt` for a missing or damaged blob; an I/O failure as ``SystemError`` reports it.
    public var wireCode: ErrorCode {
        switch self {
        case .missing, .damaged, .notAFile: .corrupt
        case .io(let system): system.wireCode
        }
    }
}

extension AdapterStoreError: WireReportable {
    /// `corrupt`.
    public var wireCode: ErrorCode { .corrupt }
}

extension AdapterReferenceError: WireReportable {
    /// `invalid_argument`.
    public var wireCode: ErrorCode { .invalidArgument }
}

extension PackError: WireReportable {
    /// `corrupt`: a stored pack is damaged.
    public var wireCode: ErrorCode { .corrupt }
    /// What is damaged and what to do.
    public var wireMessage: String { "a stored adapter pack is damaged: \(self); run verify, then re-import it" }
}

extension ZstdError: WireReportable {
    /// `internal`: the codec failed outside a pack's checks.
    public var wireCode: ErrorCode { .internal }
    /// Its description, as an unexpected failure.
    public var wireMessage: String { "unexpected failure: \(self)" }
}

extension SQLiteError: WireReportable {
    /// `internal`: the catalog's database failed outside the catalog's checks.
    public var wireCode: ErrorCode { .internal }
    /// Its description, as an unexpected failure.
    public var wireMessage: String { "unexpected failure: \(self)" }
}
