/// Why a base passed back from systemd's file descriptor store is not adopted (it is then
/// removed from the store, closed, and the base is loaded from its file).
public struct FdStoreRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong.
    public var reason: String

    /// A rejection saying `reason`.
    public init(_ reason: String) { self.reason = reason }

    /// One line saying what was wrong and what happens.
    public var description: String { "\(reason); loading the base from its file instead" }
}
