import LoradSystem
import Synchronization

/// What a `Type=notify` service tells systemd over its life: `EXTEND_TIMEOUT_USEC=` while
/// its start-up jobs run (lorad: one per base to load), `READY=1` once every job settled
/// (succeeded or failed), a `STATUS=` line with live figures every few seconds,
/// `STOPPING=1`, and `RELOADING=1` ... `READY=1` around a reload. Does nothing when the
/// notifier is disabled.
///
/// Thread-safe: every method may be called from any thread.
public final class SystemdSupervisor: Sendable {
    /// Where notifications go.
    public let notifier: SystemdNotifier
    private let statusLine: @Sendable () -> String
    private let extension_: Duration
    private let state = Mutex(State())
    private let timer = Mutex<RepeatingTask?>(nil)

    private struct State: Sendable {
        var pending = 0
        var announced = false
        var stopping = false
    }

    /// Starts the status timer: every `statusInterval` it sends `STATUS=<statusLine()>`, and
    /// before ``isReady`` also `EXTEND_TIMEOUT_USEC=<extendBy>` so a slow start-up job does
    /// not hit `TimeoutStartSec=`. Call ``expectJobs(_:)`` next.
    public init(
        notifier: SystemdNotifier, statusInterval: Duration = .seconds(5), extendBy: Duration = .seconds(20),
        statusLine: @escaping @Sendable () -> String
    ) {
        self.notifier = notifier
        self.statusLine = statusLine
        self.extension_ = extendBy
        guard notifier.isEnabled else { return }
        // The task holds the supervisor weakly, so that dropping the supervisor ends it.
        let task = RepeatingTask(label: "lorad.systemd.status", period: statusInterval) { [weak self] in self?.tick() }
        timer.withLock { $0 = task }
    }

    deinit { timer.withLock { $0?.cancel() } }

    /// True once `READY=1` was sent (or would have been, when disabled).
    public var isReady: Bool { state.withLock { $0.announced } }

    /// Counts `count` more jobs that must settle before `READY=1`; with nothing pending
    /// (`count == 0` at start-up) it is sent at once. Call it before starting the jobs.
    public func expectJobs(_ count: Int) {
        let extend = state.withLock { state -> Bool? in
            state.pending += max(0, count)
            if state.pending == 0 { return nil }
            return !state.announced
        }
        switch extend {
        case nil: announceIfSettled()
        case true?: notifier.notify(.extendTimeout(extension_), .status(statusLine()))
        case false?: break
        }
    }

    /// One expected job succeeded or failed; sends `READY=1` and a status line when it was
    /// the last one.
    public func jobSettled() {
        state.withLock { $0.pending = max(0, $0.pending - 1) }
        announceIfSettled()
    }

    /// Sends `RELOADING=1` with the current `CLOCK_MONOTONIC`; the next settle (or
    /// ``reloaded()``) sends `READY=1` again.
    /// Ignored once stopping.
    public func reloading(monotonicMicroseconds: UInt64) {
        let send = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.announced = false
            return true
        }
        if send { notifier.notify(.reloading(monotonicMicroseconds: monotonicMicroseconds)) }
    }

    /// The reload finished (its jobs may still run): `READY=1` and a status line.
    public func reloaded() {
        state.withLock { $0.pending = 0 }
        announceIfSettled()
    }

    /// Sends `STOPPING=1` (once) and stops the status timer.
    public func stopping() {
        let first = state.withLock { state -> Bool in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        timer.withLock { $0?.cancel() }
        notifier.notify(.stopping, .status("stopping: draining connections"))
    }

    private func announceIfSettled() {
        let announce = state.withLock { state -> Bool in
            guard state.pending == 0, !state.announced, !state.stopping else { return false }
            state.announced = true
            return true
        }
        if announce { notifier.notify(.ready, .status(statusLine())) }
    }

    private func tick() {
        let (ready, stopping) = state.withLock { ($0.announced, $0.stopping) }
        if stopping { return }
        if ready {
            notifier.notify(.status(statusLine()))
        } else {
            notifier.notify(.extendTimeout(extension_), .status(statusLine()))
        }
    }
}
