/// The stable error codes of the lorad protocol (PROTOCOL.md, "Error codes").
///
/// Raw values and `name`s never change once published; new codes are only appended.
/// Codes 1–99 concern the connection: all but `unknownOpcode` are sent in a FATAL frame, after
/// which the server closes the connection. Codes 100 and up concern one request and travel in
/// an ERROR reply; the connection goes on. A receiver that meets a raw code it does not know
/// keeps the raw value and the name sent beside it (see `ErrorPayload`).
public enum ErrorCode: UInt16, CaseIterable, Sendable, CustomStringConvertible {
    /// A frame or payload does not follow the spec: reserved or unknown critical flag bits
    /// set, truncated payload, invalid UTF-8, bad bool/optional tag, unknown enum value,
    /// a string or list over its bound, a reply or event with a bad request id. Fatal.
    case malformedFrame = 1
    /// The request opcode is not one the server knows at the negotiated version. The frame
    /// was skipped and its descriptors closed; the connection goes on.
    case unknownOpcode = 2
    /// HELLO offered no protocol version the server speaks. Fatal.
    case unsupportedVersion = 3
    /// A frame's length or descriptor count is over the limits announced in HELLO. Fatal.
    case frameTooLarge = 4
    /// The descriptors that arrived do not match the frame: the header's count differs from
    /// what arrived, the control message was truncated (MSG_CTRUNC), or the payload names
    /// a descriptor index that is out of range, named twice, or never named. Fatal.
    case fdCountMismatch = 5
    /// The first frame of the connection was not HELLO. Fatal.
    case handshakeRequired = 6
    /// A sequencing rule was broken: a second HELLO, request id 0, a request id already in
    /// flight, or a server-only opcode sent by the client. Fatal.
    case protocolViolation = 7

    /// The named base, adapter, version or session does not exist.
    case notFound = 100
    /// The name (or name and version) is already taken.
    case alreadyExists = 101
    /// A field is well-formed but its value is not acceptable (bad name grammar, NaN weight,
    /// duplicate adapter in a set, wrong kind of descriptor...). The message says which.
    case invalidArgument = 102
    /// The object is used by a session or another operation; retry with `force` or later.
    case inUse = 103
    /// The peer's credentials do not allow this request (e.g. an admin request).
    case permissionDenied = 104
    /// A configured budget (memory, sessions, store space) cannot fit the request.
    case resourceExhausted = 105
    /// The object exists but is not ready yet (e.g. a base still loading). Retryable.
    case notReady = 106
    /// The adapter does not fit the base (tensor names, shapes or dtypes differ).
    case incompatible = 107
    /// Stored or supplied data failed a checksum or parse.
    case corrupt = 108
    /// More requests are in flight than announced in HELLO, or the server is saturated.
    /// Retryable once an earlier reply has arrived.
    case tooManyRequests = 109
    /// A bug or unexpected system failure in the server; the message has details.
    case `internal` = 110
    /// The request was cancelled by a CANCEL request before it finished.
    case cancelled = 111
    /// The server is stopping and did not (or will not) run the request. Retryable on a new
    /// connection once the server is back.
    case shuttingDown = 112
    /// The server understands the request but cannot do it in this build or configuration
    /// (e.g. fused mode for a dtype it cannot fuse).
    case unsupported = 113
    /// The server has no connection slot for this peer: its uid has
    /// `limits.connections_per_uid` connections open, or the server has
    /// `limits.max_connections` open (root and admins may still use the reserved slots).
    /// Sent only at connect, in a FATAL frame with request id 0, before HELLO (so a client of
    /// any version may get it); the connection is then closed. Retryable on a new connection
    /// once one closes. Added in protocol 1.2.
    case tooManyConnections = 114
    /// EXPORT or MERGE gave up because the client took no byte of its output (the pipe or
    /// socket it passed was not read) for the server's stall timeout. Protocol 1.2; a peer
    /// that negotiated less gets `invalid_argument` instead (see ``compatible(with:)``).
    case outputStalled = 115

    /// The stable snake_case name sent on the wire beside the number (`malformed_frame`...).
    public var name: String {
        switch self {
        case .malformedFrame: "malformed_frame"
        case .unknownOpcode: "unknown_opcode"
        case .unsupportedVersion: "unsupported_version"
        case .frameTooLarge: "frame_too_large"
        case .fdCountMismatch: "fd_count_mismatch"
        case .handshakeRequired: "handshake_required"
        case .protocolViolation: "protocol_violation"
        case .notFound: "not_found"
        case .alreadyExists: "already_exists"
        case .invalidArgument: "invalid_argument"
        case .inUse: "in_use"
        case .permissionDenied: "permission_denied"
        case .resourceExhausted: "resource_exhausted"
        case .notReady: "not_ready"
        case .incompatible: "incompatible"
        case .corrupt: "corrupt"
        case .tooManyRequests: "too_many_requests"
        case .internal: "internal"
        case .cancelled: "cancelled"
        case .shuttingDown: "shutting_down"
        case .unsupported: "unsupported"
        case .tooManyConnections: "too_many_connections"
        case .outputStalled: "output_stalled"
        }
    }

    /// The protocol version that defined the code: 1.0 for every code but the ones added later.
    public var introduced: ProtocolVersion {
        switch self {
        case .tooManyConnections, .outputStalled: .connectionLimitsAndStalls
        case .malformedFrame, .unknownOpcode, .unsupportedVersion, .frameTooLarge, .fdCountMismatch,
             .handshakeRequired, .protocolViolation, .notFound, .alreadyExists, .invalidArgument, .inUse,
             .permissionDenied, .resourceExhausted, .notReady, .incompatible, .corrupt, .tooManyRequests,
             .internal, .cancelled, .shuttingDown, .unsupported:
            .first
        }
    }

    /// The code to send to a peer that negotiated `version`: this code when that version
    /// defines it, else the older code closest in meaning (`output_stalled` becomes
    /// `invalid_argument`: the client's descriptor is at fault), so that a peer only ever
    /// sees codes of its version (PROTOCOL.md, "Evolution"). `too_many_connections` stays
    /// itself: it is sent before HELLO, when no version is negotiated, and every client may
    /// get it.
    public func compatible(with version: ProtocolVersion) -> ErrorCode {
        guard version < introduced else { return self }
        switch self {
        case .outputStalled:
            return .invalidArgument
        case .tooManyConnections, .malformedFrame, .unknownOpcode, .unsupportedVersion, .frameTooLarge,
             .fdCountMismatch, .handshakeRequired, .protocolViolation, .notFound, .alreadyExists, .invalidArgument,
             .inUse, .permissionDenied, .resourceExhausted, .notReady, .incompatible, .corrupt, .tooManyRequests,
             .internal, .cancelled, .shuttingDown, .unsupported:
            return self
        }
    }

    /// Looks a code up by its wire `name`; `nil` when no code has that name.
    public init?(name: String) {
        guard let code = ErrorCode.allCases.first(where: { $0.name == name }) else { return nil }
        self = code
    }

    /// Whether the code is sent in a FATAL frame that ends the connection: all connection
    /// codes below 100 except `unknownOpcode`, and `tooManyConnections`, which only the
    /// refusal at connect sends. (`permissionDenied` is an ERROR reply to admin requests and
    /// also the FATAL of the access rules' refusal at connect.)
    public var isFatal: Bool { (rawValue < 100 && self != .unknownOpcode) || self == .tooManyConnections }

    /// Whether the same request may succeed if sent again later (`not_ready`,
    /// `too_many_requests`, and `shutting_down` and `too_many_connections` on a new
    /// connection).
    public var isRetryable: Bool {
        self == .notReady || self == .tooManyRequests || self == .shuttingDown || self == .tooManyConnections
    }

    /// The wire name, e.g. `not_found`.
    public var description: String { name }
}
