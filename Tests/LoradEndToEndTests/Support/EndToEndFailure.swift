/// A failed expectation of the end-to-end harness (daemon did not start, a frame did
/// not arrive in time...), with what was seen.
struct EndToEndFailure: Error, CustomStringConvertible {
    /// One line (or a few, with the daemon's log) saying what went wrong.
    var description: String

    init(_ description: String) { self.description = description }
}
