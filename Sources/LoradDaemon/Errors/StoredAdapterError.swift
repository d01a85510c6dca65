import LoradWire

/// Why a stored adapter version cannot be used or removed.
public enum StoredAdapterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Its pack does not decode to a usable adapter, for `problem`: the stored data is at fault.
    case unusable(reference: String, problem: String)
    /// The version a set names was removed and imported again (another digest).
    case reimported(reference: String)
    /// REMOVE without force of a version an open session has in its set.
    case inSession(reference: String)
}

extension StoredAdapterError: WireReportable {
    /// `corrupt`, `not_found` or `in_use`.
    public var wireCode: ErrorCode {
        switch self {
        case .unusable: .corrupt
        case .reimported: .notFound
        case .inSession: .inUse
        }
    }

    /// One line: what is wrong and what to do.
    public var description: String {
        switch self {
        case .unusable(let reference, let problem):
            "stored adapter \(reference) cannot be used: \(problem); run verify, then import it again or remove it"
        case .reimported(let reference):
            "adapter \(reference) was removed and imported again; switch to it again to use the new one"
        case .inSession(let reference):
            "\(reference) is in the active set of an open session; detach it first, or remove with force (sessions keep their mapped segments)"
        }
    }
}
