/// How one connection ends, as a pure state machine: open, then possibly lingering (its
/// last frames, a FATAL or SHUTTING_DOWN, are being written, for at most the close linger),
/// then closed. Each event returns the ``Action`` the loop takes; the loop keeps no closing
/// flags of its own. No I/O and no clock of its own, so it is tested without sockets.
///
/// ``ConnectionState`` decides *that* a connection ends (and why); this decides *when* its
/// socket is closed. Like ``ConnectionState`` it keeps its deadline as an ``InstantOffset``,
/// so that its layout is fixed and the loop's checks after every write stay cheap.
public struct ConnectionClosing: Sendable, Hashable {
    /// Where the connection is.
    public enum Phase: Sendable, Hashable {
        /// Reading and writing.
        case open
        /// Writing its queued frames (no more reading) until ``ConnectionClosing/deadline``,
        /// then closed for `reason`.
        case lingering(reason: ConnectionCloseReason)
        /// Closed for `reason`: the socket is closed and the connection forgotten.
        case closed(reason: ConnectionCloseReason)
    }

    /// What the loop does after an event.
    public enum Action: Sendable, Hashable {
        /// Nothing.
        case none
        /// Stop reading, keep writing the queue, and look again at `deadline`.
        case linger(until: ContinuousClock.Instant)
        /// Close the socket now (unwatch it, drop its queue, tell the handler), for `reason`.
        case close(ConnectionCloseReason)
    }

    /// Where the connection is.
    public private(set) var phase: Phase = .open
    /// Whether the connection is lingering or closed (a plain flag: the loop asks after every
    /// write, and matching the phase goes through the clock's value witnesses).
    public private(set) var isEnding = false
    /// Whether the connection is closed.
    public private(set) var isClosed = false
    /// The linger deadline as an ``InstantOffset``, while lingering.
    private var deadlineOffset: Duration?

    /// An open connection.
    public init() {}

    /// When the loop must look again: the linger deadline, else `nil`.
    public var deadline: ContinuousClock.Instant? {
        deadlineOffset.map(InstantOffset.instant(at:))
    }

    /// The connection is to end for `reason`. With frames queued and a reason that flushes
    /// first, it lingers for `linger` from `now`; else it closes now. Ignored once ending.
    public mutating func end(
        _ reason: ConnectionCloseReason, hasQueuedFrames: Bool, now: ContinuousClock.Instant, linger: Duration
    ) -> Action {
        guard !isEnding else { return .none }
        guard reason.flushesFirst, hasQueuedFrames else { return close(reason) }
        let offset = InstantOffset.offset(of: now) + linger
        phase = .lingering(reason: reason)
        deadlineOffset = offset
        isEnding = true
        return .linger(until: InstantOffset.instant(at: offset))
    }

    /// The outbound queue is empty: a lingering connection closes now.
    public mutating func queueDrained() -> Action {
        guard isEnding, case .lingering(let reason) = phase else { return .none }
        return close(reason)
    }

    /// Time is `now`: a lingering connection whose deadline passed closes (its peer did not
    /// read its last frames).
    public mutating func check(now: ContinuousClock.Instant) -> Action {
        guard isEnding, case .lingering(let reason) = phase, let deadlineOffset,
            deadlineOffset <= InstantOffset.offset(of: now)
        else { return .none }
        return close(reason)
    }

    /// The peer hung up while the connection no longer reads: it closes now, for the reason it
    /// was lingering, or because of the hang-up.
    public mutating func hungUp() -> Action {
        guard !isClosed else { return .none }
        if case .lingering(let reason) = phase { return close(reason) }
        return close(.socketError("the peer hung up"))
    }

    /// The connection must close now for `reason`, whatever it was doing: a socket or epoll
    /// call failed, the peer stopped reading, the loop ends.
    public mutating func abort(_ reason: ConnectionCloseReason) -> Action {
        close(reason)
    }

    private mutating func close(_ reason: ConnectionCloseReason) -> Action {
        guard !isClosed else { return .none }
        phase = .closed(reason: reason)
        deadlineOffset = nil
        isEnding = true
        isClosed = true
        return .close(reason)
    }
}
