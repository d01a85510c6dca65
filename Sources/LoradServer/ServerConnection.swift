import LoradSystem
import LoradWire

/// One accepted socket as the loop thread sees it: the protocol state, the outbound queue
/// and the epoll registration. Only the loop thread touches it (it is not `Sendable`).
final class ServerConnection {
    /// The connection's id, also its epoll token.
    let id: UInt64
    /// The connected, non-blocking socket; owned here, closed by the loop.
    let socket: UnixSocket
    /// Who connected (`SO_PEERCRED`).
    let credentials: PeerCredentials
    /// The peer as the handler sees it; `nil` for a refused peer (never shown to the handler).
    var peer: PeerContext?
    /// The protocol state machine.
    var state: ConnectionState<ReceivedDescriptor>
    /// Frames waiting to be written.
    var outbound = OutboundQueue()
    /// The interest set registered with epoll.
    var interest: Epoll.Interest
    /// How the connection ends: open, lingering over its last frames, closed.
    var closing = ConnectionClosing()
    /// Whether the connection is lingering or closed.
    var isEnding: Bool { closing.isEnding }
    /// Whether the socket is closed and the connection forgotten.
    var isClosed: Bool { closing.isClosed }
    /// Whether the loop lists this connection among those with a deadline.
    var isTimed = false
    /// Whether the loop will write this connection's queue at the end of its current turn.
    var isFlushScheduled = false

    init(
        id: UInt64, socket: UnixSocket, credentials: PeerCredentials, state: ConnectionState<ReceivedDescriptor>,
        interest: Epoll.Interest
    ) {
        self.id = id
        self.socket = socket
        self.credentials = credentials
        self.state = state
        self.interest = interest
    }

    /// The interest set the connection needs now: readable until it starts closing, writable
    /// while frames wait.
    var wantedInterest: Epoll.Interest {
        var wanted: Epoll.Interest = []
        if !isEnding, !state.isClosing { wanted.insert(.readable) }
        if !outbound.isEmpty { wanted.insert(.writable) }
        return wanted
    }

    /// The earliest moment the loop must look at this connection again.
    var nextDeadline: ContinuousClock.Instant? {
        if isEnding { return closing.deadline }
        return state.nextDeadline
    }

    /// Whether ``nextDeadline`` is not `nil` (cheaper than making it).
    var hasDeadline: Bool { isEnding || state.hasDeadline }

    /// `uid 1000 pid 42 (connection 7)` for logs.
    var logName: String { "connection \(id) (uid \(credentials.uid), pid \(credentials.pid))" }
}
