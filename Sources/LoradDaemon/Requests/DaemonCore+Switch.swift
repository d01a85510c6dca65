import LoradServer
import LoradWire

extension DaemonCore {
    /// SWITCH: replaces the whole set atomically.
    func switchAdapters(_ request: SwitchRequest, _ context: RequestContext) throws -> HandlerReply {
        var names = Set<String>()
        for item in request.adapters {
            guard item.weight.isFinite else { throw SessionError.weightNotFinite(name: item.adapter.name, weight: item.weight) }
            guard names.insert(item.adapter.name).inserted else { throw SessionError.duplicateAdapter(item.adapter.name) }
        }
        return try changeSession(request.sessionID, context, wrap: ServerMessage.switchAdapters) { _, base in
            try Session.validated(request.adapters.map { try self.sessionAdapter($0.adapter, weight: $0.weight, base: base) })
        }
    }
}
