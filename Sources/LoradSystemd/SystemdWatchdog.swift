import CSystemd
import LoradSystem

/// The service watchdog (`WatchdogSec=`): pings `WATCHDOG=1` at half the interval, but
/// only after `isHealthy` says so (the daemon passes a round trip through the server's
/// event loop), so a hung loop stops the pings and systemd restarts the service.
public final class SystemdWatchdog: Sendable {
    /// The watchdog interval systemd expects pings within.
    public let interval: Duration
    private let task: RepeatingTask

    /// The interval systemd set (`$WATCHDOG_USEC`, for this process per `$WATCHDOG_PID`),
    /// `nil` when the watchdog is off or the variables are malformed.
    ///
    /// The corresponding C function is `sd_watchdog_enabled`.
    public static func configuredInterval() -> Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }

    /// Starts pinging through `notifier` every `interval / 2` while `isHealthy(timeout)`
    /// returns true; `isHealthy` gets `interval / 2` as the time it may take. Runs until
    /// ``cancel()``.
    public init(
        interval: Duration, notifier: SystemdNotifier,
        isHealthy: @escaping @Sendable (_ timeout: Duration) -> Bool
    ) {
        self.interval = interval
        let half = max(interval / 2, .milliseconds(1))
        task = RepeatingTask(label: "lorad.watchdog", period: half) {
            if isHealthy(half) { notifier.notify(.watchdog) }
        }
    }

    /// Stops pinging.
    public func cancel() { task.cancel() }
}
