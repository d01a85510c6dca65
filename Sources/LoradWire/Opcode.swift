/// Every opcode of protocol version 1.0 (PROTOCOL.md, "Opcodes").
///
/// Ranges: 0x0001–0x3FFF requests (client to server); 0x4000–0x7FFF events (server to
/// client, request id 0); 0x8000–0xBFFF replies, each `request | 0x8000`; 0xFFFE ERROR
/// reply; 0xFFFF FATAL error. 0x0000 and 0xC000–0xFFFD are reserved. Opcodes are never
/// reused or renumbered.
public enum Opcode: UInt16, CaseIterable, Sendable, CustomStringConvertible {
    /// HELLO: version negotiation; the first frame of a connection.
    case hello = 0x0001
    /// PING: liveness check.
    case ping = 0x0002
    /// CANCEL: abandon a pending request.
    case cancel = 0x0003
    /// LIST_BASES: the configured bases.
    case listBases = 0x0010
    /// LIST_ADAPTERS: one page of stored adapters.
    case listAdapters = 0x0011
    /// SHOW_ADAPTER: one adapter version in detail.
    case showAdapter = 0x0012
    /// IMPORT: store an adapter from passed files.
    case importAdapter = 0x0013
    /// EXPORT: write an adapter into a passed descriptor.
    case exportAdapter = 0x0014
    /// REMOVE: delete adapter versions.
    case removeAdapter = 0x0015
    /// OPEN_SESSION: a session on one base.
    case openSession = 0x0020
    /// ATTACH: add or re-weight one adapter.
    case attach = 0x0021
    /// DETACH: remove one adapter from the active set.
    case detach = 0x0022
    /// SWITCH: replace the whole active set.
    case switchAdapters = 0x0023
    /// CLOSE_SESSION: end a session.
    case closeSession = 0x0024
    /// GET_SEGMENTS: re-send a session's segments.
    case getSegments = 0x0025
    /// MERGE: write base + adapters into a passed descriptor.
    case merge = 0x0030
    /// EVICT (admin): drop cached segments.
    case evict = 0x0040
    /// STATS: daemon counters.
    case stats = 0x0041
    /// VERIFY (admin): re-check the store.
    case verify = 0x0042
    /// GC (admin): delete unreferenced blobs.
    case gc = 0x0043

    /// The reply to `hello`.
    case helloReply = 0x8001
    /// The reply to `ping`.
    case pingReply = 0x8002
    /// The reply to `cancel`.
    case cancelReply = 0x8003
    /// The reply to `listBases`.
    case listBasesReply = 0x8010
    /// The reply to `listAdapters`.
    case listAdaptersReply = 0x8011
    /// The reply to `showAdapter`.
    case showAdapterReply = 0x8012
    /// The reply to `importAdapter`.
    case importAdapterReply = 0x8013
    /// The reply to `exportAdapter`.
    case exportAdapterReply = 0x8014
    /// The reply to `removeAdapter`.
    case removeAdapterReply = 0x8015
    /// The reply to `openSession`.
    case openSessionReply = 0x8020
    /// The reply to `attach`.
    case attachReply = 0x8021
    /// The reply to `detach`.
    case detachReply = 0x8022
    /// The reply to `switchAdapters`.
    case switchAdaptersReply = 0x8023
    /// The reply to `closeSession`.
    case closeSessionReply = 0x8024
    /// The reply to `getSegments`.
    case getSegmentsReply = 0x8025
    /// The reply to `merge`.
    case mergeReply = 0x8030
    /// The reply to `evict`.
    case evictReply = 0x8040
    /// The reply to `stats`.
    case statsReply = 0x8041
    /// The reply to `verify`.
    case verifyReply = 0x8042
    /// The reply to `gc`.
    case gcReply = 0x8043

    /// SHUTTING_DOWN event (request id 0): the server is stopping.
    case shuttingDown = 0x4001

    /// ERROR reply: the request failed; the connection goes on.
    case error = 0xFFFE
    /// FATAL error: the connection is closed after it.
    case fatal = 0xFFFF

    /// What an opcode's range says about a frame, known or not.
    public enum Kind: Sendable, Equatable {
        /// 0x0001–0x3FFF: a request from the client.
        case request
        /// 0x4000–0x7FFF: a server-initiated event, request id 0.
        case event
        /// 0x8000–0xBFFF: a successful reply, opcode = request opcode | 0x8000.
        case reply
        /// 0xFFFE: a per-request ERROR reply.
        case error
        /// 0xFFFF: a FATAL error; the connection is closed after it.
        case fatal
        /// 0x0000 and 0xC000–0xFFFD: never sent.
        case reserved
    }

    /// The kind of any raw opcode, including ones this build does not know (a client ignores
    /// unknown `.event` opcodes; a server answers unknown `.request` opcodes with
    /// `unknown_opcode`).
    public static func kind(of raw: UInt16) -> Kind {
        switch raw {
        case 0x0001...0x3FFF: .request
        case 0x4000...0x7FFF: .event
        case 0x8000...0xBFFF: .reply
        case 0xFFFE: .error
        case 0xFFFF: .fatal
        default: .reserved
        }
    }

    /// The kind of this opcode.
    public var kind: Kind { Opcode.kind(of: rawValue) }

    /// For a request, the opcode of its successful reply (`rawValue | 0x8000`); else `nil`.
    public var replyOpcode: Opcode? {
        kind == .request ? Opcode(rawValue: rawValue | 0x8000) : nil
    }

    /// The upper-case name used in PROTOCOL.md and logs, e.g. `SWITCH`, `SWITCH_REPLY`.
    public var wireName: String {
        switch self {
        case .hello: "HELLO"
        case .ping: "PING"
        case .cancel: "CANCEL"
        case .listBases: "LIST_BASES"
        case .listAdapters: "LIST_ADAPTERS"
        case .showAdapter: "SHOW_ADAPTER"
        case .importAdapter: "IMPORT"
        case .exportAdapter: "EXPORT"
        case .removeAdapter: "REMOVE"
        case .openSession: "OPEN_SESSION"
        case .attach: "ATTACH"
        case .detach: "DETACH"
        case .switchAdapters: "SWITCH"
        case .closeSession: "CLOSE_SESSION"
        case .getSegments: "GET_SEGMENTS"
        case .merge: "MERGE"
        case .evict: "EVICT"
        case .stats: "STATS"
        case .verify: "VERIFY"
        case .gc: "GC"
        case .shuttingDown: "SHUTTING_DOWN"
        case .error: "ERROR"
        case .fatal: "FATAL"
        case .helloReply, .pingReply, .cancelReply, .listBasesReply, .listAdaptersReply,
            .showAdapterReply, .importAdapterReply, .exportAdapterReply, .removeAdapterReply,
            .openSessionReply, .attachReply, .detachReply, .switchAdaptersReply,
            .closeSessionReply, .getSegmentsReply, .mergeReply, .evictReply, .statsReply,
            .verifyReply, .gcReply:
            Opcode(rawValue: rawValue & 0x7FFF).map { $0.wireName + "_REPLY" } ?? "OPCODE_\(rawValue)"
        }
    }

    /// `wireName` followed by the hex value, e.g. `SWITCH (0x0023)`.
    ///
    /// Looked up, not formatted: every decoded payload names its opcode in this form (the
    /// context of its error messages), so formatting would cost every request.
    public var description: String {
        Self.descriptions[self] ?? formattedDescription
    }

    /// Every opcode's ``description``, made once.
    private static let descriptions: [Opcode: String] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0, $0.formattedDescription) })

    private var formattedDescription: String {
        let hex = String(rawValue, radix: 16, uppercase: true)
        return "\(wireName) (0x\(String(repeating: "0", count: 4 - hex.count))\(hex))"
    }
}
