/// A message from client to server: one case per request opcode (PROTOCOL.md, "Requests").
///
/// Encode with `encode(requestID:limits:)`; decode a received `Frame` with `init(decoding:)`.
public enum ClientMessage: Hashable, Sendable {
    /// `HelloRequest` (opcode `hello`).
    case hello(HelloRequest)
    /// `PingRequest` (opcode `ping`).
    case ping(PingRequest)
    /// `CancelRequest` (opcode `cancel`).
    case cancel(CancelRequest)
    /// `ListBasesRequest` (opcode `listBases`).
    case listBases(ListBasesRequest)
    /// `ListAdaptersRequest` (opcode `listAdapters`).
    case listAdapters(ListAdaptersRequest)
    /// `ShowAdapterRequest` (opcode `showAdapter`).
    case showAdapter(ShowAdapterRequest)
    /// `ImportRequest` (opcode `importAdapter`).
    case importAdapter(ImportRequest)
    /// `ExportRequest` (opcode `exportAdapter`).
    case exportAdapter(ExportRequest)
    /// `RemoveRequest` (opcode `removeAdapter`).
    case removeAdapter(RemoveRequest)
    /// `OpenSessionRequest` (opcode `openSession`).
    case openSession(OpenSessionRequest)
    /// `AttachRequest` (opcode `attach`).
    case attach(AttachRequest)
    /// `DetachRequest` (opcode `detach`).
    case detach(DetachRequest)
    /// `SwitchRequest` (opcode `switchAdapters`).
    case switchAdapters(SwitchRequest)
    /// `CloseSessionRequest` (opcode `closeSession`).
    case closeSession(CloseSessionRequest)
    /// `GetSegmentsRequest` (opcode `getSegments`).
    case getSegments(GetSegmentsRequest)
    /// `MergeRequest` (opcode `merge`).
    case merge(MergeRequest)
    /// `EvictRequest` (opcode `evict`).
    case evict(EvictRequest)
    /// `StatsRequest` (opcode `stats`).
    case stats(StatsRequest)
    /// `VerifyRequest` (opcode `verify`).
    case verify(VerifyRequest)
    /// `GCRequest` (opcode `gc`).
    case gc(GCRequest)

    /// The request opcode of this message.
    public var opcode: Opcode { parts.opcode }

    /// The opcode and the payload to encode: the one switch from case to wire.
    var parts: (opcode: Opcode, payload: any WireCodable) {
        switch self {
        case .hello(let payload): (.hello, payload)
        case .ping(let payload): (.ping, payload)
        case .cancel(let payload): (.cancel, payload)
        case .listBases(let payload): (.listBases, payload)
        case .listAdapters(let payload): (.listAdapters, payload)
        case .showAdapter(let payload): (.showAdapter, payload)
        case .importAdapter(let payload): (.importAdapter, payload)
        case .exportAdapter(let payload): (.exportAdapter, payload)
        case .removeAdapter(let payload): (.removeAdapter, payload)
        case .openSession(let payload): (.openSession, payload)
        case .attach(let payload): (.attach, payload)
        case .detach(let payload): (.detach, payload)
        case .switchAdapters(let payload): (.switchAdapters, payload)
        case .closeSession(let payload): (.closeSession, payload)
        case .getSegments(let payload): (.getSegments, payload)
        case .merge(let payload): (.merge, payload)
        case .evict(let payload): (.evict, payload)
        case .stats(let payload): (.stats, payload)
        case .verify(let payload): (.verify, payload)
        case .gc(let payload): (.gc, payload)
        }
    }
}
