import LoradServer
import LoradWire

extension DaemonCore {
    /// OPEN_SESSION: a new session on a resident base, generation 0, empty set; the reply
    /// carries the base segment.
    func openSession(_ request: OpenSessionRequest, peer: PeerContext) throws -> HandlerReply {
        try DaemonCore.validateName(request.base, field: "base")
        let (session, base) = try state.withLock { state throws -> (Session, ResidentBase) in
            let base: ResidentBase
            do {
                base = try state.readyBase(request.base)
            } catch {
                reloadIfEvicted(request.base, state: &state)
                throw error
            }
            return (try state.sessions.open(connectionID: peer.connectionID, uid: peer.uid, base: request.base, mode: request.mode), base)
        }
        return sessionReply(session, base: base, segments: [], wrap: ServerMessage.openSession)
    }
}
