import LoradServer
import LoradWire

extension DaemonCore {
    /// PING: echoes the token.
    func ping(_ request: PingRequest) -> HandlerReply {
        HandlerReply(.ping(PingReply(token: request.token)))
    }
}
