import LoradSystem
import Synchronization

/// Watches one EXPORT or MERGE writing into a client's descriptor, from a timer of its own,
/// and interrupts the worker's blocking `write` or `poll` (``InterruptibleThread``) when
/// the request is cancelled (CANCEL, or its connection closed) or when the client has taken
/// no byte for the stall timeout. The worker then sees why and fails the request.
///
/// Use: made on the worker thread that writes; that thread wraps each blocking call in
/// ``guarding(_:)``, calls ``progressed()`` after each write that took bytes, and calls
/// ``stop()`` before it does anything else (no signal reaches it after that).
final class OutputWatchdog: Sendable {
    /// How often the timer looks.
    static let period: Duration = .milliseconds(50)

    private let thread: InterruptibleThread
    private let token: RequestToken
    private let stallMicroseconds: UInt64
    /// The worker is inside a guarded call. An atomic, not a lock: the worker takes no lock
    /// while the signal can reach it.
    private let inCall = Atomic<Bool>(false)
    /// `CLOCK_MONOTONIC` microseconds when the client last took bytes, or when the worker
    /// last started waiting for it.
    private let lastProgress: Atomic<UInt64>
    /// The timer; nil once stopped. Held while a tick decides and signals, so that once
    /// ``stop()`` has taken it no signal follows.
    private let timer = Mutex<RepeatingTask?>(nil)

    /// A watchdog for the calling thread, which writes for the request of `token`.
    /// - Throws: ``SystemError`` when the interrupting signal cannot be set up.
    init(token: RequestToken, stallTimeout: Duration) throws(SystemError) {
        thread = try InterruptibleThread.current()
        self.token = token
        stallMicroseconds = max(1, stallTimeout.whole(.microseconds))
        lastProgress = Atomic(MonotonicClock.microseconds())
        let task = RepeatingTask(label: "lorad.output-watchdog", period: Self.period) { [weak self] in self?.tick() }
        timer.withLock { $0 = task }
    }

    deinit { stop() }

    /// True when the client has taken no byte for the stall timeout.
    var isStalled: Bool {
        MonotonicClock.microseconds() &- lastProgress.load(ordering: .acquiring) >= stallMicroseconds
    }

    /// Starts the stall clock again: the worker is about to wait for the client after
    /// computing (time spent computing is not the client's).
    func startWaiting() {
        lastProgress.store(MonotonicClock.microseconds(), ordering: .releasing)
    }

    /// The client took bytes.
    func progressed() { startWaiting() }

    /// How long the worker may still wait for the client before the output counts as stalled.
    var remaining: Duration {
        let waited = MonotonicClock.microseconds() &- lastProgress.load(ordering: .acquiring)
        return waited >= stallMicroseconds ? .zero : .microseconds(Int64(clamping: stallMicroseconds - waited))
    }

    /// Runs one blocking call that the watchdog may interrupt (it then ends with `EINTR` or a
    /// short count).
    func guarding<T>(_ call: () throws(SystemError) -> T) throws(SystemError) -> T {
        try InterruptibleThread.withInterruptsAllowed { () throws(SystemError) -> T in
            inCall.store(true, ordering: .sequentiallyConsistent)
            defer { inCall.store(false, ordering: .sequentiallyConsistent) }
            return try call()
        }
    }

    /// Stops the timer; once it returns, the watchdog sends no more signals. Idempotent.
    func stop() {
        timer.withLock { task in
            task?.cancel()
            task = nil
        }
    }

    private func tick() {
        let cancelled = token.isCancelled
        timer.withLock { task in
            // Under the lock: stop() cannot return, so the thread is still in its output.
            guard task != nil, inCall.load(ordering: .sequentiallyConsistent) else { return }
            if cancelled || isStalled { thread.interrupt() }
        }
    }
}
