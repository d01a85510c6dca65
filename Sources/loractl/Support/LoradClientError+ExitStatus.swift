import LoradClient
import LoradWire

extension LoradClientError {
    /// The loractl exit status for this error: 69 when the daemon cannot be reached or does
    /// not answer within `--timeout`, 75 when its connection limits refuse this user for now
    /// (`too_many_connections`), 77 for permission problems (the socket's, the daemon's
    /// allow-list or an admin request's), 65 for invalid arguments, incompatible or corrupt
    /// data, 66 for names that do not exist, 74 (EX_IOERR) when the daemon gave up writing an
    /// output nobody read (`output_stalled`), 1 otherwise.
    var exitStatus: ExitStatus {
        switch self {
        case .daemonUnavailable, .timedOut:
            return .unavailable
        case .fatal(let payload) where payload.code == .tooManyConnections:
            // A connection limit refused this user at accept; retrying later may work.
            return .tempFail
        case .permissionDenied:
            return .noPermission
        case .fatal(let payload) where payload.code == .permissionDenied:
            // The allow-list refused this user at accept (FATAL permission_denied).
            return .noPermission
        case .invalidRequest:
            return .dataError
        case .server(let payload, _):
            switch payload.code {
            case .permissionDenied: return .noPermission
            case .invalidArgument, .incompatible, .corrupt: return .dataError
            case .notFound: return .noInput
            case .outputStalled: return .ioError
            default: return .failure
            }
        default:
            return .failure
        }
    }
}
