import LoradServer
import LoradWire

extension DaemonCore {
    /// LIST_BASES: every configured base with its state (and its origin for peers of
    /// protocol 1.1 and later).
    func listBases(_ request: ListBasesRequest, _ context: RequestContext) -> HandlerReply {
        let withOrigin = context.peer.protocolVersion >= .baseOrigin
        return HandlerReply(.listBases(ListBasesReply(bases: state.withLock { $0.bases.map { $0.info(withOrigin: withOrigin) } })))
    }
}
