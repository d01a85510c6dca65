/// The lookups that reading a configuration needs from the machine: account names, file
/// kinds and file contents. ``LiveSystemLookups`` asks the real system; tests pass a fake
/// so no real user, group or file is needed.
public protocol SystemLookups: Sendable {
    /// The gid of the group called `name`, or nil when there is no such group.
    /// - Throws: ``SystemError`` when the lookup itself failed (an NSS error).
    func groupID(named name: String) throws(SystemError) -> UInt32?

    /// The uid of the user called `name`, or nil when there is no such user.
    /// - Throws: ``SystemError`` when the lookup itself failed (an NSS error).
    func userID(named name: String) throws(SystemError) -> UInt32?

    /// What is at `path` (following symlinks).
    func pathKind(at path: String) -> PathKind

    /// At most `maximumBytes` bytes from the start of the file at `path`.
    /// - Throws: ``SystemError`` from opening or reading.
    func readFile(at path: String, maximumBytes: Int) throws(SystemError) -> [UInt8]
}
