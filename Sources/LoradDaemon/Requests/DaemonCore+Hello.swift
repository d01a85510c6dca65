import LoradServer
import LoradWire

extension DaemonCore {
    /// HELLO after the handshake: the server answers the first HELLO itself, so one reaching
    /// the core is a client error.
    func hello(_ request: HelloRequest) throws(WireError) -> HandlerReply {
        throw WireError(.invalidArgument, "HELLO is answered by the server during the handshake; send it once, first")
    }
}
