/// Lets a repeated log line through at most once per ``interval`` and counts the ones held
/// back, so that a client connecting in a loop cannot flood the journal (pure; the caller
/// passes the time).
struct LogThrottle: Sendable {
    /// The shortest time between two lines let through.
    let interval: Duration
    /// When the last line was let through; `nil` before the first.
    private var lastLogged: ContinuousClock.Instant?
    /// Lines held back since then.
    private var suppressed = 0

    /// A throttle letting one line through per `interval`.
    init(interval: Duration) {
        self.interval = interval
    }

    /// Whether to log the line that happens at `now`: `nil` to hold it back (it is counted),
    /// else how many were held back since the last line let through (to append to it).
    mutating func admit(now: ContinuousClock.Instant) -> Int? {
        if let lastLogged, now < lastLogged.advanced(by: interval) {
            suppressed += 1
            return nil
        }
        lastLogged = now
        defer { suppressed = 0 }
        return suppressed
    }

    /// `; N more like it not logged since the previous one` for a non-zero count, else empty.
    static func note(heldBack count: Int) -> String {
        count == 0 ? "" : "; \(count) more like it not logged since the previous one"
    }
}
