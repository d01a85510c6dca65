/// Why one configuration value (a size, a duration, a mode, a name, a path) is
/// not acceptable, as one line meant to follow the key or flag it came from:
/// `"32 GX" is not a size; write ...`.
public struct ConfigValueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong and what to write instead.
    public var reason: String

    /// Makes an error from its one-line reason.
    public init(_ reason: String) { self.reason = reason }

    /// The reason.
    public var description: String { reason }
}
