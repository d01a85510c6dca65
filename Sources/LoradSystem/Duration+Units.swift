/// A unit ``Swift/Duration/whole(_:)`` counts in; the raw value is how many make a second.
public enum DurationUnit: Int64, Sendable {
    /// Thousandths of a second.
    case milliseconds = 1_000
    /// Millionths of a second.
    case microseconds = 1_000_000
    /// Billionths of a second.
    case nanoseconds = 1_000_000_000
}

extension Duration {
    /// The whole number of `unit`s in the duration, rounded down: 0 for a negative
    /// duration, `UInt64.max` when it does not fit (what timeouts and systemd's `*_USEC`
    /// fields want).
    public func whole(_ unit: DurationUnit) -> UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: UInt64(unit.rawValue))
        let (total, overflowAgain) = whole.addingReportingOverflow(UInt64(attoseconds) / UInt64(1_000_000_000_000_000_000 / unit.rawValue))
        return overflow || overflowAgain ? .max : total
    }

    /// The duration in seconds as a floating-point number, for rates and reports.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
