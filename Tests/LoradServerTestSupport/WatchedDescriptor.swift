import Glibc
import LoradSystem

/// The write end of a fresh pipe, and a way to see whether every copy of it is closed: the
/// read end reports a hang-up then. Unlike "is this number open?" or a count of the
/// process's descriptors, this cannot be fooled by other tests opening descriptors or reusing
/// the number. Give ``writeEnd`` away (send it, or wrap it in an owner); the read end closes
/// with this object.
public final class WatchedDescriptor {
    /// The write end: whoever it is given to owns it.
    public let writeEnd: FileDescriptor
    private let readEnd: OwnedFileDescriptor

    /// A new pipe; both ends close-on-exec, so that a child another test starts cannot keep
    /// the write end open.
    public init() throws {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw SystemError(errno: errno, operation: "pipe") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        readEnd = OwnedFileDescriptor(FileDescriptor(rawValue: ends[0]))
        writeEnd = FileDescriptor(rawValue: ends[1])
    }

    /// Whether the write end is closed everywhere in this process (and any other).
    public var isClosed: Bool {
        var entry = pollfd(fd: readEnd.descriptor.rawValue, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLHUP) != 0
    }
}
