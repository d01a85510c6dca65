/// What a path names, as far as checking a configured path needs to know.
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
