import LoradWire

/// Why a request naming a base cannot use it.
public enum BaseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No base of this name is configured; `configured` lists the names that are.
    case notConfigured(name: String, configured: [String])
    /// The base is loading; `done` of `total` tensors so far (`total` 0 when not known yet).
    case loading(name: String, done: Int, total: Int)
    /// The base was evicted and is being loaded again.
    case evicted(name: String)
    /// The base failed to load, for `message`.
    case failed(name: String, message: String)
    /// EVICT of a base that open sessions use.
    case inUse(name: String)
}

extension BaseError: WireReportable {
    /// `not_found`, `not_ready` (loading, evicted, failed) or `in_use`.
    public var wireCode: ErrorCode {
        switch self {
        case .notConfigured: .notFound
        case .loading, .evicted, .failed: .notReady
        case .inUse: .inUse
        }
    }

    /// One line: what is wrong with the base and what to do.
    public var description: String {
        switch self {
        case .notConfigured(let name, let configured):
            let known = configured.joined(separator: ", ")
            return "no base named \(name) is configured (configured: \(known.isEmpty ? "none" : known)); LIST_BASES shows them"
        case .loading(let name, let done, let total):
            let progress = total > 0 ? " (\(done) of \(total) tensors)" : ""
            return "base \(name) is still loading\(progress); retry in a moment"
        case .evicted(let name):
            return "base \(name) is not resident (it was evicted); it is being loaded again, retry in a moment"
        case .failed(let name, let message):
            return "base \(name) failed to load: \(message); fix the file or the config and reload lorad"
        case .inUse(let name):
            return "base \(name) is used by open sessions; close them first"
        }
    }
}
