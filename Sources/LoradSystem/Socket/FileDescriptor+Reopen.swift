import CLinux
import Glibc

extension FileDescriptor {
    /// A new, independent descriptor for the same file, opened read-only
    /// (close-on-exec) through `/proc/self/fd`. The caller owns both.
    ///
    /// Send segments to clients this way: on Linux before 6.7 a `MAP_SHARED`
    /// mapping of a write-sealed memfd fails with `EPERM` even with `PROT_READ`
    /// when the descriptor is read-write, and works when it is read-only. It is
    /// not a protection (a client can reopen the file read-write through its
    /// own `/proc/self/fd`): the seals are.
    ///
    /// The corresponding C function is `open` on `/proc/self/fd/<n>`.
    /// - Throws: ``SystemError`` (`ENOENT` when /proc is not mounted or the
    ///   descriptor is not open).
    public func reopenedReadOnly() throws(SystemError) -> FileDescriptor {
        try FileDescriptor.open("/proc/self/fd/\(rawValue)", .readOnly)
    }

    /// The access mode the open file was opened with.
    ///
    /// The corresponding C function is `fcntl` with `F_GETFL`.
    /// - Throws: ``SystemError`` (`EBADF`).
    public func accessMode() throws(SystemError) -> AccessMode {
        let raw = rawValue
        let flags = try retryingInterrupts("fcntl(F_GETFL)") { clinux_fcntl_getfl(raw) }
        switch flags & O_ACCMODE {
        case O_RDONLY: return .readOnly
        case O_WRONLY: return .writeOnly
        default: return .readWrite
        }
    }
}
