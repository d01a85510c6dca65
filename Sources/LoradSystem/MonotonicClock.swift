import Glibc

/// The kernel's `CLOCK_MONOTONIC`, which systemd uses for `MONOTONIC_USEC=` (Swift's
/// `ContinuousClock` is `CLOCK_BOOTTIME` on Linux, a different origin).
public enum MonotonicClock {
    /// Microseconds of `CLOCK_MONOTONIC` now (time since boot, not counting suspend).
    ///
    /// The corresponding C function is `clock_gettime`; it cannot fail for this clock.
    public static func microseconds() -> UInt64 {
        var now = timespec()
        _ = clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(max(0, now.tv_sec)) &* 1_000_000 &+ UInt64(max(0, now.tv_nsec) / 1000)
    }
}
