import LoradServer
import LoradWire

extension DaemonCore {
    /// DETACH: removes the named adapter from the set.
    func detach(_ request: DetachRequest, _ context: RequestContext) throws -> HandlerReply {
        try changeSession(request.sessionID, context, wrap: ServerMessage.detach) { session, _ in
            try session.detaching(request.name)
        }
    }
}
