import LoradServer
import LoradWire

extension DaemonCore {
    /// ATTACH: appends the adapter, or replaces the version and weight of the entry with its
    /// name.
    func attach(_ request: AttachRequest, _ context: RequestContext) throws -> HandlerReply {
        guard request.weight.isFinite else {
            throw SessionError.weightNotFinite(name: request.adapter.name, weight: request.weight)
        }
        return try changeSession(request.sessionID, context, wrap: ServerMessage.attach) { session, base in
            let entry = try self.sessionAdapter(request.adapter, weight: request.weight, base: base)
            return try session.attaching(entry)
        }
    }
}
