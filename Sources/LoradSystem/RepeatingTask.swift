import Dispatch
import Synchronization

/// Runs `body` every `period` on a serial queue of its own until ``cancel()`` or until the
/// task is released (the queue holds it only weakly between runs). A run that takes longer
/// than `period` delays the next one; runs never overlap. Used by the systemd integration
/// (watchdog pings, status lines) and the daemon's output watchdog.
public final class RepeatingTask: Sendable {
    private let queue: DispatchQueue
    private let period: DispatchTimeInterval
    private let body: @Sendable () -> Void
    private let cancelled = Atomic(false)

    /// Schedules the first run `period` from now (at least 1 ms).
    public init(label: String, period: Duration, body: @escaping @Sendable () -> Void) {
        queue = DispatchQueue(label: label)
        let microseconds = max(period, .milliseconds(1)).whole(.microseconds)
        self.period = .microseconds(Int(clamping: microseconds))
        self.body = body
        scheduleNext()
    }

    /// Stops the runs; one in progress finishes.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    private func scheduleNext() {
        queue.asyncAfter(deadline: .now() + period) { [weak self] in
            guard let self, !self.cancelled.load(ordering: .relaxed) else { return }
            self.body()
            self.scheduleNext()
        }
    }
}
