import LoradServer
import LoradWire

extension DaemonCore {
    /// CANCEL: cancels the connection's pending request with the target id, if any; its job
    /// then replies `cancelled`.
    func cancel(_ request: CancelRequest, _ context: RequestContext) -> HandlerReply {
        let key = CoreState.PendingKey(connectionID: context.peer.connectionID, requestID: request.targetRequestID)
        let token = state.withLock { $0.pending[key] }
        let wasPending = token?.cancel() ?? false
        // A request waiting for its uid's worker cap answers `cancelled` now.
        if wasPending { pool.startCancelled() }
        return HandlerReply(.cancel(CancelReply(wasPending: wasPending)))
    }
}
