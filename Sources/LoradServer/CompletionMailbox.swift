import LoradSystem
import Synchronization

/// Where handler workers leave replies (and anyone leaves a stop request) for the loop
/// thread: a lock-protected list plus an ``EventFD`` that wakes the loop.
///
/// Reply closures keep the mailbox alive, so the eventfd is closed only when the last
/// closure is gone (in `deinit`): a late reply never writes to a reused descriptor number.
/// After ``close()`` (the loop ended) replies are released on arrival.
final class CompletionMailbox: Sendable {
    /// A reply on its way to the loop.
    struct Completion: Sendable {
        var connectionID: UInt64
        var requestID: UInt32
        var reply: HandlerReply
    }

    /// A request to stop the server.
    struct StopRequest: Sendable, Equatable {
        var grace: Duration
        var reason: String
    }

    private struct Contents: Sendable {
        var completions: [Completion] = []
        var stop: StopRequest?
        var probes: [@Sendable () -> Void] = []
        var isClosed = false
        /// The loop is between waking up and its next ``take()``: it will look here anyway,
        /// so a post needs no eventfd write (saves two syscalls per reply made on the loop
        /// thread or while the loop is busy).
        var loopWillTake = false
    }

    /// The descriptor the loop watches; readable when something was posted.
    let wakeup: EventFD
    /// The mailbox's ownership of ``wakeup``: closed when the mailbox goes.
    private let ownsWakeup: OwnedFileDescriptor
    private let contents = Mutex(Contents())

    /// Creates a mailbox with its eventfd.
    init() throws(SystemError) {
        wakeup = try EventFD()
        ownsWakeup = OwnedFileDescriptor(wakeup.fileDescriptor)
    }

    /// Posts a reply from any thread. Returns `false` (and the caller releases the reply)
    /// when the loop has ended.
    func post(_ completion: Completion) -> Bool {
        deliver { $0.completions.append(completion) }
    }

    /// Asks the loop to stop. A second request can only shorten the grace time.
    func requestStop(_ request: StopRequest) {
        contents.withLock { contents in
            if let earlier = contents.stop, earlier.grace <= request.grace { return }
            contents.stop = request
        }
        try? wakeup.signal()
    }

    /// Asks the loop thread to run `probe` at its next turn. Returns `false` when the loop
    /// has ended (the probe will never run).
    func postProbe(_ probe: @escaping @Sendable () -> Void) -> Bool {
        deliver { $0.probes.append(probe) }
    }

    /// Applies `add` unless the mailbox is closed and wakes the loop when it will not look
    /// anyway; returns whether it was applied.
    private func deliver(_ add: (inout Contents) -> Void) -> Bool {
        let (accepted, wake) = contents.withLock { contents in
            guard !contents.isClosed else { return (false, false) }
            add(&contents)
            return (true, !contents.loopWillTake)
        }
        if wake { try? wakeup.signal() }
        return accepted
    }

    /// The loop woke up and will call ``take()`` before it waits again (loop thread).
    func loopAwake() {
        contents.withLock { $0.loopWillTake = true }
    }

    /// Takes everything posted so far; from now on posts wake the loop again (loop thread).
    func take() -> (completions: [Completion], stop: StopRequest?, probes: [@Sendable () -> Void]) {
        contents.withLock { contents in
            defer {
                contents.completions.removeAll()
                contents.stop = nil
                contents.probes.removeAll()
                contents.loopWillTake = false
            }
            return (contents.completions, contents.stop, contents.probes)
        }
    }

    /// Resets the eventfd after it woke the loop (loop thread).
    func clearWakeup() {
        _ = try? wakeup.drain()
    }

    /// Refuses further posts and returns the replies never taken, for release.
    func close() -> [Completion] {
        contents.withLock { contents in
            contents.isClosed = true
            contents.probes.removeAll()
            defer { contents.completions.removeAll() }
            return contents.completions
        }
    }
}
