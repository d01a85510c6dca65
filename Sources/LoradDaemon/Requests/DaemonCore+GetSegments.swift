import LoradServer
import LoradWire

extension DaemonCore {
    /// GET_SEGMENTS: the session as it is, with fresh descriptors of its segments.
    func getSegments(_ request: GetSegmentsRequest, _ context: RequestContext) throws -> HandlerReply {
        let (session, base, segments) = try state.withLock { state throws -> (Session, ResidentBase, [Segment]) in
            let session = try state.sessions.session(request.sessionID, connectionID: context.peer.connectionID)
            let base = try state.sessionBase(session.base)
            return (session, base, session.held.compactMap { state.cache.peek($0) })
        }
        return sessionReply(session, base: base, segments: segments, wrap: ServerMessage.getSegments)
    }
}
