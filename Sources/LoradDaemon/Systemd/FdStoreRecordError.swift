/// Why bytes passed back from systemd's file descriptor store are not an ``FdStoreRecord``.
public struct FdStoreRecordError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong.
    public var reason: String

    /// An error saying `reason`.
    public init(_ reason: String) { self.reason = reason }

    /// One line saying what was wrong and what happens.
    public var description: String {
        "malformed fd store record: \(reason); the stored base is discarded and loaded from its file"
    }
}
