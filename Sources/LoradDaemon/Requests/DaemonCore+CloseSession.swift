import LoradWire

extension DaemonCore {
    /// CLOSE_SESSION: ends the session and releases its references.
    func closeSession(_ request: CloseSessionRequest, _ context: RequestContext) throws -> CloseSessionReply {
        try state.withLock { state throws in
            state.release(try state.sessions.close(request.sessionID, connectionID: context.peer.connectionID))
            state.dropUnusedRemovedBases()
        }
        return CloseSessionReply()
    }
}
