import LoradServer
import LoradWire

extension DaemonCore {
    /// SWITCH: replaces the whole set atomically.
    func switchAdapters(_ request: SwitchRequest, _ context: RequestContext) throws -> HandlerReply {
        try Session.check(request.adapters.map { ($0.adapter.name, $0.weight) })
        return try changeSession(request.sessionID, context, wrap: ServerMessage.switchAdapters) { _, base in
            try Session.validated(request.adapters.map { try self.sessionAdapter($0.adapter, weight: $0.weight, base: base) })
        }
    }
}
