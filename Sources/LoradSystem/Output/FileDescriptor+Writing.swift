import CLinux
import Glibc

/// What one `write` call did.
public enum WriteAttempt: Sendable, Hashable {
    /// It wrote this many bytes (at least 1 when the buffer was not empty).
    case wrote(Int)
    /// A signal interrupted it before it wrote anything (`EINTR`).
    case interrupted
    /// The descriptor is non-blocking and cannot take any byte now (`EAGAIN`).
    case wouldBlock
}

extension FileDescriptor {
    /// One `write` of up to `bytes.count` bytes at the current offset, not retried: a short
    /// count, an interruption and `EAGAIN` are returned for the caller to decide. It never
    /// raises `SIGPIPE` (which would end the process): a pipe or socket whose reader has gone
    /// throws `EPIPE`.
    ///
    /// The corresponding C function is `write` (with `SIGPIPE` blocked around it).
    /// - Throws: ``SystemError`` for any other failure (`EPIPE`, `EBADF`, `ENOSPC`...).
    public func writeOnce(_ bytes: UnsafeRawBufferPointer) throws(SystemError) -> WriteAttempt {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .wrote(0) }
        let count = clinux_write_without_sigpipe(rawValue, base, bytes.count)
        if count >= 0 { return .wrote(count) }
        switch Glibc.errno {
        case EINTR: return .interrupted
        case EAGAIN: return .wouldBlock
        default: throw SystemError.current("write")
        }
    }

    /// Waits until the descriptor can take bytes, or is in error (the next write says why),
    /// for at most `timeout` (rounded up to a millisecond, at most about 24 days). Returns
    /// false when the time ran out or a signal interrupted the wait.
    ///
    /// The corresponding C function is `poll` with `POLLOUT`.
    /// - Throws: ``SystemError`` when `poll` fails otherwise.
    public func waitUntilWritable(timeout: Duration) throws(SystemError) -> Bool {
        let microseconds = timeout.whole(.microseconds)
        let milliseconds = Int32(clamping: microseconds / 1000 + (microseconds % 1000 == 0 ? 0 : 1))
        let ready = clinux_poll_writable(rawValue, milliseconds)
        if ready > 0 { return true }
        if ready == 0 || Glibc.errno == EINTR { return false }
        throw SystemError.current("poll")
    }

    /// Whether the descriptor was opened for writing (`O_WRONLY` or `O_RDWR`).
    ///
    /// The corresponding C function is `fcntl` with `F_GETFL`.
    public func isOpenForWriting() throws(SystemError) -> Bool {
        let raw = rawValue
        let flags = try retryingInterrupts("fcntl(F_GETFL)") { clinux_fcntl_getfl(raw) }
        return flags & O_ACCMODE != O_RDONLY
    }

    /// A new pipe, both ends close-on-exec and blocking.
    ///
    /// The corresponding C function is `pipe2` with `O_CLOEXEC`.
    public static func pipe() throws(SystemError) -> (read: FileDescriptor, write: FileDescriptor) {
        var ends: [Int32] = [-1, -1]
        _ = try retryingInterrupts("pipe2") { ends.withUnsafeMutableBufferPointer { clinux_pipe_cloexec($0.baseAddress) } }
        return (FileDescriptor(rawValue: ends[0]), FileDescriptor(rawValue: ends[1]))
    }

    /// The type of the file system the descriptor's file lives on.
    ///
    /// The corresponding C function is `fstatfs`.
    public func fileSystemType() throws(SystemError) -> FileSystemType {
        var magic: UInt64 = 0
        let raw = rawValue
        _ = try retryingInterrupts("fstatfs") { clinux_filesystem_type(raw, &magic) }
        return FileSystemType(magic: magic)
    }
}
