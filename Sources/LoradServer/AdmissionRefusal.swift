import LoradWire

/// Why ``AdmissionLimits`` refuses a peer a connection slot; it becomes FATAL
/// `too_many_connections` at connect.
public enum AdmissionRefusal: Sendable, Hashable {
    /// The peer's uid already has `open` connections, its `limit` (`limits.connections_per_uid`).
    case uidLimit(uid: UInt32, open: Int, limit: Int)
    /// The server has `open` connections, its `limit`: `limits.max_connections` for an
    /// ordinary peer, that plus `limits.reserved_connections` (`reserved`) for a privileged one.
    case serverFull(open: Int, limit: Int, reserved: Bool)

    /// The one-line message the refused peer receives: which limit, and what to do.
    public var message: String {
        switch self {
        case .uidLimit(let uid, let open, let limit):
            "uid \(uid) has \(open) connection\(open == 1 ? "" : "s") to lorad open, the most one user may have (limits.connections_per_uid = \(limit)); close one of them and retry, or ask an administrator to raise the limit"
        case .serverFull(let open, _, false):
            "lorad has \(open) client connections open, its limit (limits.max_connections); retry once some close, or ask an administrator to raise the limit"
        case .serverFull(let open, _, true):
            "lorad has \(open) client connections open, its limit with the slots reserved for administrators (limits.max_connections + limits.reserved_connections); retry once some close"
        }
    }

    /// The FATAL payload sent at connect.
    public var payload: ErrorPayload { ErrorPayload(code: .tooManyConnections, message: message) }

    /// Which limit, for logs: `connections_per_uid` or `max_connections`.
    public var limitName: String {
        switch self {
        case .uidLimit: "connections_per_uid"
        case .serverFull(_, _, false): "max_connections"
        case .serverFull(_, _, true): "max_connections + reserved_connections"
        }
    }
}
