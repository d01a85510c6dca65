import LoradWire

/// Why a session request was refused. Each case maps to a protocol code (``code``) and says
/// what to do in ``description``.
public enum SessionError: Error, Equatable, Sendable, CustomStringConvertible, WireReportable {
    /// No session with this id belongs to the connection.
    case sessionNotFound(UInt64)
    /// DETACH of a name that is not in the active set.
    case notActive(name: String, session: UInt64)
    /// The same adapter name twice in one set.
    case duplicateAdapter(String)
    /// A weight that is NaN or infinite.
    case weightNotFinite(name: String, weight: Double)
    /// More adapters than one set may hold.
    case setFull(count: Int, limit: Int)
    /// The uid already holds its limit of sessions.
    case sessionLimit(uid: UInt32, limit: Int)

    /// The protocol error code.
    public var code: ErrorCode {
        switch self {
        case .sessionNotFound, .notActive: .notFound
        case .duplicateAdapter, .weightNotFinite, .setFull: .invalidArgument
        case .sessionLimit: .resourceExhausted
        }
    }

    /// ``code``.
    public var wireCode: ErrorCode { code }

    /// The error for a broken set rule.
    init(_ broken: AdapterSetRules.Violation) {
        switch broken {
        case .tooMany(let count, let limit): self = .setFull(count: count, limit: limit)
        case .weightNotFinite(let name, let weight): self = .weightNotFinite(name: name, weight: weight)
        case .duplicateName(let name): self = .duplicateAdapter(name)
        }
    }

    /// One line: what was wrong and what to do.
    public var description: String {
        switch self {
        case .sessionNotFound(let id):
            "no session \(id) on this connection; open one with OPEN_SESSION (sessions end with their connection)"
        case .notActive(let name, let session):
            "adapter \(name) is not in the active set of session \(session); GET_SEGMENTS shows the set"
        case .duplicateAdapter(let name):
            "adapter \(name) appears twice in the set; name each adapter once (a set holds one version per name)"
        case .weightNotFinite(let name, let weight):
            "the weight of \(name) is \(weight); use a finite number"
        case .setFull(let count, let limit):
            "\(count) adapters is more than the \(limit) a set may hold; detach some first"
        case .sessionLimit(let uid, let limit):
            "uid \(uid) already has \(limit) open sessions, the configured limit; close sessions or raise limits.sessions_per_uid"
        }
    }
}
