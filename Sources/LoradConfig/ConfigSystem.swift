import LoradSystem

/// The lookups configuration loading needs from the machine: account names,
/// file kinds and file contents. ``SystemConfigSystem`` asks the real system;
/// tests pass a fake so no real user, group or file is needed.
public protocol ConfigSystem: Sendable {
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

/// What a path names, as far as checking a config needs to know.
public enum PathKind: Sendable, Equatable {
    /// A regular file.
    case regularFile
    /// A folder.
    case directory
    /// Something else: a device, socket or FIFO.
    case other
    /// Nothing (`ENOENT`).
    case missing
    /// The path could not be examined, for example for lack of permission.
    case inaccessible(SystemError)
}
