/// A check the soak made that lorad failed: a reply that is not what the request should
/// give, an error that is not a documented refusal, a figure past its tolerance.
struct SoakFailure: Error, Sendable, CustomStringConvertible {
    /// One line: what was asked, what came back, what was expected.
    var description: String

    /// A failure described by `description`.
    init(_ description: String) {
        self.description = description
    }
}
