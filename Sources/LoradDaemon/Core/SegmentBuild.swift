import Dispatch
import LoradWire
import Synchronization

/// One derived segment being built, shared by the request building it and the requests that
/// need the same key meanwhile and wait for it instead of building it again (single flight).
///
/// Registered in ``CoreState`` under its key from the moment a request claims the build until
/// the segment is inserted in the cache or the build fails; ``finish(failure:)`` then wakes
/// every waiter. Waiters never take over the builder's budget reservation or references:
/// after a success each takes its own reference on the cached segment, after a failure each
/// either reports it or builds the key itself (``waitersRetry(after:)``).
final class SegmentBuild: Sendable {
    /// How to build one segment: its size in bytes (reserved in the budget before building)
    /// and the build itself, which returns the sealed segment.
    struct Recipe {
        /// The segment's size in bytes.
        var bytes: Int
        /// Builds the segment; throws what the build throws (`cancelled` included).
        var make: () throws -> Segment
    }

    private enum State {
        case building
        case succeeded
        case failed(WireError)
    }

    /// Entered at creation, left once by ``finish(failure:)``; waiters wait on it.
    private let done = DispatchGroup()
    private let state = Mutex(State.building)
    private let waiters = Atomic<Int>(0)

    /// A build in progress (the caller registers it in ``CoreState``).
    init() {
        done.enter()
    }

    /// The number of requests waiting for this build right now.
    var waiting: Int { waiters.load(ordering: .relaxed) }

    /// Ends the build and wakes the waiters: nil for a success (the segment is in the cache),
    /// else the failure. Only the first call counts.
    func finish(failure: (any Error)?) {
        let first = state.withLock { state -> Bool in
            guard case .building = state else { return false }
            state = failure.map { .failed(WireError(reporting: $0)) } ?? .succeeded
            return true
        }
        if first { done.leave() }
    }

    /// Blocks the calling thread (a worker, never the server loop) until the build finishes,
    /// checking `token` every `poll` so that a cancelled waiter stops promptly.
    /// - Returns: nil when the build succeeded, else its failure.
    /// - Throws: `cancelled` when `token` is cancelled first.
    func wait(token: RequestToken, poll: DispatchTimeInterval = .milliseconds(10)) throws(WireError) -> WireError? {
        waiters.add(1, ordering: .relaxed)
        defer { waiters.subtract(1, ordering: .relaxed) }
        while done.wait(timeout: .now() + poll) == .timedOut {
            try token.check()
        }
        return state.withLock { state -> WireError? in
            if case .failed(let error) = state { return error }
            return nil
        }
    }

    /// Whether a request that waited for a build which failed with `error` builds the key
    /// itself rather than reporting that failure: yes, unless it is `corrupt` (the stored pack,
    /// which the key names by digest, is damaged, so every build fails the same way).
    ///
    /// Everything else may belong to the builder's request alone: `cancelled` (its client went
    /// away); `not_found` or `incompatible` (a factors key is shared by every name of the same
    /// pack and by sessions on any base); `resource_exhausted` (the budget changes as requests
    /// finish, and the failed builder has just released what it held; a retry that still does
    /// not fit fails at its reservation, before any fusing). Each failure hands the key to one
    /// waiter, so retries end.
    static func waitersRetry(after error: WireError) -> Bool {
        error.code != .corrupt
    }
}
