import LoradWire

/// Why the core refused a request before its handler's own checks.
public enum RequestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// HELLO after the handshake (the server answers the first one itself).
    case helloAfterHandshake
    /// An admin request from a peer that is not an administrator; `request` names it.
    case needsAdmin(request: String)
    /// A payload field names a descriptor the frame did not carry.
    case missingDescriptor(field: String, carried: Int)
}

extension RequestError: WireReportable {
    /// `invalid_argument` or `permission_denied`.
    public var wireCode: ErrorCode {
        switch self {
        case .helloAfterHandshake, .missingDescriptor: .invalidArgument
        case .needsAdmin: .permissionDenied
        }
    }

    /// One line: what was wrong and what to do.
    public var description: String {
        switch self {
        case .helloAfterHandshake:
            "HELLO is answered by the server during the handshake; send it once, first"
        case .needsAdmin(let request):
            "\(request) needs admin rights (root, the daemon's user, or access.admin_uids / admin_groups); run it as an administrator"
        case .missingDescriptor(let field, let carried):
            "\(field) names a descriptor the request did not carry (it carried \(carried)); pass the file with the request"
        }
    }
}
