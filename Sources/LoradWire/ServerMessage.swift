/// A message from server to client: one case per reply opcode, the SHUTTING_DOWN event, ERROR
/// replies and FATAL errors (PROTOCOL.md, "Replies", "Events", "Errors").
///
/// Replies carry the request id of their request; events carry 0; a FATAL frame carries the
/// offending request id or 0. Encode with `encode(requestID:limits:)`; decode a received
/// `Frame` with `init(decoding:)`.
public enum ServerMessage: Hashable, Sendable {
    /// The reply to `ClientMessage.hello`.
    case hello(HelloReply)
    /// The reply to `ClientMessage.ping`.
    case ping(PingReply)
    /// The reply to `ClientMessage.cancel`.
    case cancel(CancelReply)
    /// The reply to `ClientMessage.listBases`.
    case listBases(ListBasesReply)
    /// The reply to `ClientMessage.listAdapters`.
    case listAdapters(ListAdaptersReply)
    /// The reply to `ClientMessage.showAdapter`.
    case showAdapter(ShowAdapterReply)
    /// The reply to `ClientMessage.importAdapter`.
    case importAdapter(ImportReply)
    /// The reply to `ClientMessage.exportAdapter`.
    case exportAdapter(ExportReply)
    /// The reply to `ClientMessage.removeAdapter`.
    case removeAdapter(RemoveReply)
    /// The reply to `ClientMessage.openSession`.
    case openSession(SessionReply)
    /// The reply to `ClientMessage.attach`.
    case attach(SessionReply)
    /// The reply to `ClientMessage.detach`.
    case detach(SessionReply)
    /// The reply to `ClientMessage.switchAdapters`.
    case switchAdapters(SessionReply)
    /// The reply to `ClientMessage.closeSession`.
    case closeSession(CloseSessionReply)
    /// The reply to `ClientMessage.getSegments`.
    case getSegments(SessionReply)
    /// The reply to `ClientMessage.merge`.
    case merge(MergeReply)
    /// The reply to `ClientMessage.evict`.
    case evict(EvictReply)
    /// The reply to `ClientMessage.stats`.
    case stats(StatsReply)
    /// The reply to `ClientMessage.verify`.
    case verify(VerifyReply)
    /// The reply to `ClientMessage.gc`.
    case gc(GCReply)
    /// The SHUTTING_DOWN event (request id 0).
    case shuttingDown(ShuttingDownEvent)
    /// An ERROR reply: the request failed; the connection goes on.
    case error(ErrorPayload)
    /// A FATAL error: the server closes the connection after it.
    case fatal(ErrorPayload)

    /// The opcode of this message.
    public var opcode: Opcode { parts.opcode }

    /// The opcode and the payload to encode: the one switch from case to wire.
    var parts: (opcode: Opcode, payload: any WireCodable) {
        switch self {
        case .hello(let payload): (.helloReply, payload)
        case .ping(let payload): (.pingReply, payload)
        case .cancel(let payload): (.cancelReply, payload)
        case .listBases(let payload): (.listBasesReply, payload)
        case .listAdapters(let payload): (.listAdaptersReply, payload)
        case .showAdapter(let payload): (.showAdapterReply, payload)
        case .importAdapter(let payload): (.importAdapterReply, payload)
        case .exportAdapter(let payload): (.exportAdapterReply, payload)
        case .removeAdapter(let payload): (.removeAdapterReply, payload)
        case .openSession(let payload): (.openSessionReply, payload)
        case .attach(let payload): (.attachReply, payload)
        case .detach(let payload): (.detachReply, payload)
        case .switchAdapters(let payload): (.switchAdaptersReply, payload)
        case .closeSession(let payload): (.closeSessionReply, payload)
        case .getSegments(let payload): (.getSegmentsReply, payload)
        case .merge(let payload): (.mergeReply, payload)
        case .evict(let payload): (.evictReply, payload)
        case .stats(let payload): (.statsReply, payload)
        case .verify(let payload): (.verifyReply, payload)
        case .gc(let payload): (.gcReply, payload)
        case .shuttingDown(let payload): (.shuttingDown, payload)
        case .error(let payload): (.error, payload)
        case .fatal(let payload): (.fatal, payload)
        }
    }
}
