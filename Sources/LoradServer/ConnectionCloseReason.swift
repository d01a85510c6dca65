import LoradWire

/// Why a connection ends; logged, and it decides whether queued frames are flushed first.
public enum ConnectionCloseReason: Sendable, Hashable, CustomStringConvertible {
    /// The server sent FATAL with this payload (a protocol violation, a timeout, a refused peer).
    case fatal(ErrorPayload)
    /// The peer closed its end; `midFrame` when it left a partial frame behind.
    case endOfStream(midFrame: Bool)
    /// The server is stopping and this connection has nothing left in flight.
    case drained
    /// The server is stopping and the grace time ran out; pending requests got `shutting_down`.
    case graceExpired
    /// The peer stopped reading: more than this many bytes of replies were waiting for it.
    case slowReader(queuedBytes: Int)
    /// A socket call failed (for example `ECONNRESET`); the text says which.
    case socketError(String)

    /// Whether the queued frames are sent before the socket is closed (the peer is still
    /// there and should learn why), or it is closed at once.
    public var flushesFirst: Bool {
        switch self {
        case .fatal, .drained, .graceExpired: true
        case .endOfStream, .slowReader, .socketError: false
        }
    }

    /// One line for the log.
    public var description: String {
        switch self {
        case .fatal(let payload): "sent FATAL \(payload)"
        case .endOfStream(let midFrame): midFrame ? "peer closed in the middle of a frame" : "peer closed"
        case .drained: "server stopping, no request left in flight"
        case .graceExpired: "server stopping, grace time over"
        case .slowReader(let bytes): "peer stopped reading with \(bytes) bytes of replies queued"
        case .socketError(let text): "socket error: \(text)"
        }
    }
}
