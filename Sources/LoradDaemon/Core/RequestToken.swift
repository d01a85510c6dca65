import LoradWire
import Synchronization

/// The cancellation state of one pending request: pending until the job either claims it
/// (it is about to reply normally) or CANCEL / a closed connection cancels it (the job then
/// replies `cancelled`). Exactly one of the two wins.
final class RequestToken: Sendable {
    private enum State { case pending, cancelled, claimed }
    private let state = Mutex(State.pending)

    /// The connection and request this token belongs to.
    let connectionID: UInt64
    let requestID: UInt32

    init(connectionID: UInt64, requestID: UInt32) {
        self.connectionID = connectionID
        self.requestID = requestID
    }

    /// True once cancelled; jobs poll it between steps.
    var isCancelled: Bool { state.withLock { $0 == .cancelled } }

    /// Cancels the request unless it was claimed. Returns true when it was pending.
    @discardableResult
    func cancel() -> Bool {
        state.withLock { state in
            guard state == .pending else { return false }
            state = .cancelled
            return true
        }
    }

    /// Claims the right to reply normally (again, once claimed). Returns false when the
    /// request was cancelled first.
    func claim() -> Bool {
        state.withLock { state in
            guard state != .cancelled else { return false }
            state = .claimed
            return true
        }
    }

    /// Throws ``WireError/cancelled`` when cancelled.
    func check() throws(WireError) {
        if isCancelled { throw WireError.cancelled }
    }
}
