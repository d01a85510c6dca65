/// Why one value written in a config file or on a command line (a size, a duration, a
/// mode, a name, a path) is not acceptable, as one line meant to follow the key or flag
/// it came from: `"32 GX" is not a size; write ...`. The notations here throw it, and so
/// do LoradConfig's range and path rules.
public struct ConfigValueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong and what to write instead.
    public var reason: String

    /// Makes an error from its one-line reason.
    public init(_ reason: String) { self.reason = reason }

    /// The reason.
    public var description: String { reason }
}
