/// `ContinuousClock` instants as `Duration`s since one origin fixed for the process.
///
/// `ContinuousClock.Instant` is a resilient type (its layout is known only at run time), so
/// a struct holding one is copied and tested for `nil` through value witnesses on every
/// access. ``ConnectionState``, which the loop reads for every request, keeps its deadlines
/// as these offsets instead: `Duration` has a fixed layout. Conversions are exact both ways.
enum InstantOffset {
    /// The origin: the first time any offset was taken.
    static let origin = ContinuousClock.Instant.now

    /// How far `instant` is from the origin (negative before it).
    static func offset(of instant: ContinuousClock.Instant) -> Duration {
        origin.duration(to: instant)
    }

    /// The instant `offset` from the origin.
    static func instant(at offset: Duration) -> ContinuousClock.Instant {
        origin.advanced(by: offset)
    }
}
