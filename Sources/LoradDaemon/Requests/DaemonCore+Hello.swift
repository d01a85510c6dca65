import LoradServer
import LoradWire

extension DaemonCore {
    /// HELLO after the handshake: the server answers the first HELLO itself, so one reaching
    /// the core is a client error.
    func hello(_ request: HelloRequest) throws(RequestError) -> HandlerReply {
        throw .helloAfterHandshake
    }
}
