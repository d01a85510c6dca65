import CLinux
import Glibc

/// An open file descriptor: a thin, copyable wrapper over the kernel's `int`.
///
/// The wrapper does not own the descriptor: nothing closes it automatically, so
/// call ``close()`` exactly once. Every method retries `EINTR` and throws a
/// ``SystemError`` carrying `errno` on failure. Descriptors opened here are
/// close-on-exec.
public struct FileDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// The kernel's descriptor number.
    public let rawValue: Int32

    /// Wraps an existing descriptor number (for example one received over a socket).
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `fd 7`.
    public var description: String { "fd \(rawValue)" }

    /// How a file is opened for reading and writing.
    public enum AccessMode: Sendable, Hashable {
        /// `O_RDONLY`.
        case readOnly
        /// `O_WRONLY`.
        case writeOnly
        /// `O_RDWR`.
        case readWrite

        var flags: Int32 {
            switch self {
            case .readOnly: O_RDONLY
            case .writeOnly: O_WRONLY
            case .readWrite: O_RDWR
            }
        }
    }

    /// Extra `open` flags. `O_CLOEXEC` is always added.
    public struct OpenOptions: OptionSet, Sendable, Hashable {
        /// The raw `O_*` bits.
        public var rawValue: Int32
        /// Makes options from raw `O_*` bits.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// `O_CREAT`: create the file when it does not exist.
        public static let create = OpenOptions(rawValue: O_CREAT)
        /// `O_CREAT | O_EXCL`: create the file, failing with `EEXIST` when it exists.
        public static let exclusiveCreate = OpenOptions(rawValue: O_CREAT | O_EXCL)
        /// `O_TRUNC`: truncate an existing file to zero bytes.
        public static let truncate = OpenOptions(rawValue: O_TRUNC)
        /// `O_APPEND`: every write goes to the end of the file.
        public static let append = OpenOptions(rawValue: O_APPEND)
        /// `O_NOFOLLOW`: fail with `ELOOP` when the last component is a symlink.
        public static let noFollow = OpenOptions(rawValue: O_NOFOLLOW)
        /// `O_DIRECTORY`: fail with `ENOTDIR` unless the path is a folder.
        public static let directory = OpenOptions(rawValue: O_DIRECTORY)
        /// `O_NONBLOCK`.
        public static let nonBlocking = OpenOptions(rawValue: O_NONBLOCK)
    }

    /// Opens `path`; new files get `permissions` (minus the umask).
    ///
    /// The corresponding C function is `open`.
    /// - Throws: ``SystemError`` with the path (`ENOENT`, `EACCES`, `EEXIST`...).
    public static func open(
        _ path: String, _ mode: AccessMode, options: OpenOptions = [],
        permissions: FilePermissions = .defaultFile
    ) throws(SystemError) -> FileDescriptor {
        let flags = mode.flags | options.rawValue | O_CLOEXEC
        let fd = try retryingInterrupts("open", path: path) {
            clinux_open(path, flags, mode_t(permissions.rawValue))
        }
        return FileDescriptor(rawValue: fd)
    }

    /// Closes the descriptor. It is not retried on `EINTR`: Linux has released the
    /// number by then, and a retry could close a descriptor another thread opened.
    ///
    /// The corresponding C function is `close`.
    public func close() throws(SystemError) {
        if Glibc.close(rawValue) == -1, Glibc.errno != EINTR {
            throw SystemError.current("close")
        }
    }

    /// Reads up to `buffer.count` bytes at the current offset; returns the count
    /// read, 0 at end of file.
    ///
    /// The corresponding C function is `read`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        return try retryingInterrupts("read") { Glibc.read(rawValue, base, buffer.count) }
    }

    /// Reads up to `buffer.count` bytes at byte `offset` without moving the file
    /// offset; returns the count read, 0 at end of file.
    ///
    /// The corresponding C function is `pread`.
    public func read(
        fromAbsoluteOffset offset: Int64, into buffer: UnsafeMutableRawBufferPointer
    ) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        return try retryingInterrupts("pread") { Glibc.pread(rawValue, base, buffer.count, off_t(offset)) }
    }

    /// Fills `buffer` entirely from byte `offset`, looping on short reads.
    ///
    /// The corresponding C function is `pread`.
    /// - Throws: ``SystemError`` `EIO` with operation `pread` when the file ends
    ///   before the buffer is full.
    public func readExactly(
        fromAbsoluteOffset offset: Int64, into buffer: UnsafeMutableRawBufferPointer
    ) throws(SystemError) {
        var done = 0
        while done < buffer.count {
            let rest = UnsafeMutableRawBufferPointer(rebasing: buffer[done...])
            let count = try read(fromAbsoluteOffset: offset + Int64(done), into: rest)
            if count == 0 { throw SystemError(errno: EIO, operation: "pread (file ended early)") }
            done += count
        }
    }

    /// Reads exactly `count` bytes from byte `offset` into a new array.
    ///
    /// The corresponding C function is `pread`.
    /// - Throws: ``SystemError`` as ``readExactly(fromAbsoluteOffset:into:)``; `EINVAL`
    ///   for a negative count.
    public func readBytes(fromAbsoluteOffset offset: Int64, count: Int) throws(SystemError) -> [UInt8] {
        guard count >= 0 else { throw SystemError(errno: EINVAL, operation: "pread (negative count \(count))") }
        var bytes = [UInt8](repeating: 0, count: count)
        let outcome = bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(SystemError) in try readExactly(fromAbsoluteOffset: offset, into: buffer) }
        }
        try outcome.get()
        return bytes
    }

    /// Writes all of `bytes` at the current offset, looping on short writes.
    ///
    /// The corresponding C function is `write`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        guard let start = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let base = start + done
            let remaining = bytes.count - done
            done += try retryingInterrupts("write") { Glibc.write(rawValue, base, remaining) }
        }
    }

    /// Writes all of `bytes` at the current offset, looping on short writes.
    ///
    /// The corresponding C function is `write`.
    public func write(_ bytes: [UInt8]) throws(SystemError) {
        let outcome = bytes.withUnsafeBytes { raw in Result { () throws(SystemError) in try write(raw) } }
        try outcome.get()
    }

    /// Writes all of `bytes` at byte `offset` without moving the file offset,
    /// looping on short writes.
    ///
    /// The corresponding C function is `pwrite`.
    public func write(toAbsoluteOffset offset: Int64, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        guard let start = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let base = start + done
            let remaining = bytes.count - done
            let position = off_t(offset + Int64(done))
            done += try retryingInterrupts("pwrite") { Glibc.pwrite(rawValue, base, remaining, position) }
        }
    }

    /// Starts writing a range's dirty pages to disk without waiting, so that a
    /// later ``fsync()`` has less left to do. Advisory: durability still needs
    /// `fsync`.
    ///
    /// The corresponding C function is `sync_file_range` with `SYNC_FILE_RANGE_WRITE`.
    public func startWriteback(offset: Int64, length: Int64) throws(SystemError) {
        let raw = rawValue
        _ = try retryingInterrupts("sync_file_range") { clinux_start_writeback(raw, offset, length) }
    }

    /// Turns direct I/O (`O_DIRECT`) on or off for this open file: with it on,
    /// reads and writes bypass the page cache and move data straight between the
    /// buffer and the device, so buffer addresses, file offsets and lengths must
    /// be multiples of the device's logical block size (4096 always is) or the
    /// call fails with `EINVAL`. Data written this way is on the device when the
    /// write returns, but durability of the file's size and extents still needs
    /// ``fsync()``.
    ///
    /// - Throws: ``SystemError`` with `EINVAL` when the file system does not
    ///   support direct I/O (tmpfs before Linux 6.6, for instance).
    ///
    /// The corresponding C function is `fcntl` with `F_SETFL` and `O_DIRECT`.
    public func setDirectIO(_ enabled: Bool) throws(SystemError) {
        let raw = rawValue
        _ = try retryingInterrupts("fcntl(F_SETFL, O_DIRECT)") { clinux_set_direct_io(raw, enabled ? 1 : 0) }
    }

    /// Sets or clears `O_NONBLOCK` on the open file description (shared with every
    /// duplicate of the descriptor, in this process or another).
    ///
    /// The corresponding C function is `fcntl` with `F_GETFL` and `F_SETFL`.
    public func setNonBlocking(_ nonBlocking: Bool = true) throws(SystemError) {
        let raw = rawValue
        let flags = try retryingInterrupts("fcntl(F_GETFL)") { clinux_fcntl_getfl(raw) }
        let wanted = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        if wanted != flags {
            _ = try retryingInterrupts("fcntl(F_SETFL)") { clinux_fcntl_setfl(raw, wanted) }
        }
    }

    /// Opens `path` read-only without ever waiting in `open`, and returns the descriptor
    /// with its `fstat`: it opens with `O_NONBLOCK` (a FIFO with no writer would otherwise
    /// block `open` forever) and clears `O_NONBLOCK` again once the file is open, so reads
    /// behave as usual. The caller decides which kinds of file it accepts (and closes the
    /// descriptor).
    ///
    /// The corresponding C functions are `open`, `fstat` and `fcntl`.
    /// - Throws: ``SystemError`` from any of them (the descriptor is then closed).
    public static func openWithoutWaiting(_ path: String) throws(SystemError) -> (descriptor: FileDescriptor, status: FileStatus) {
        let fd = try open(path, .readOnly, options: .nonBlocking)
        do throws(SystemError) {
            let status = try fd.status()
            try fd.setNonBlocking(false)
            return (fd, status)
        } catch {
            try? fd.close()
            throw error
        }
    }

    /// Opens `path` read-only as a regular file, never waiting in `open` (see
    /// ``openWithoutWaiting(_:)``).
    /// - Throws: ``SystemError`` from `open`, `fstat` or `fcntl`, or `ENODEV` (what `mmap`
    ///   answers for such a file) with operation `open (a FIFO or pipe, not a regular
    ///   file)`, naming the kind, for anything but a regular file.
    public static func openRegularFile(_ path: String) throws(SystemError) -> FileDescriptor {
        let (fd, status) = try openWithoutWaiting(path)
        guard status.isRegularFile else {
            try? fd.close()
            throw SystemError(errno: ENODEV, operation: "open (\(status.kindDescription), not a regular file)", path: path)
        }
        return fd
    }

    /// Flushes the file's data and metadata to stable storage.
    ///
    /// The corresponding C function is `fsync`.
    public func fsync() throws(SystemError) {
        _ = try retryingInterrupts("fsync") { Glibc.fsync(rawValue) }
    }

    /// Sets the file's size in bytes, cutting or zero-extending it.
    ///
    /// The corresponding C function is `ftruncate`.
    public func truncate(toSize size: Int64) throws(SystemError) {
        _ = try retryingInterrupts("ftruncate") { Glibc.ftruncate(rawValue, off_t(size)) }
    }

    /// The file's status (size, type, device, inode, modification time).
    ///
    /// The corresponding C function is `fstat`.
    public func status() throws(SystemError) -> FileStatus {
        var raw = stat()
        _ = try retryingInterrupts("fstat") { fstat(rawValue, &raw) }
        return FileStatus(raw)
    }

    /// The file's size in bytes (from `fstat`).
    ///
    /// The corresponding C function is `fstat`.
    public func size() throws(SystemError) -> Int { try status().size }

    /// A new descriptor for the same open file (close-on-exec).
    ///
    /// The corresponding C function is `fcntl` with `F_DUPFD_CLOEXEC`.
    public func duplicate() throws(SystemError) -> FileDescriptor {
        FileDescriptor(rawValue: try retryingInterrupts("dup") { Glibc.fcntl(rawValue, F_DUPFD_CLOEXEC, 0) })
    }

    /// Marks the descriptor close-on-exec (for inherited descriptors, such as those
    /// systemd passes).
    ///
    /// The corresponding C function is `fcntl` with `F_SETFD`.
    /// - Throws: ``SystemError`` (`EBADF` when it is not open).
    public func setCloseOnExec() throws(SystemError) {
        _ = try retryingInterrupts("fcntl(F_SETFD)") { Glibc.fcntl(rawValue, F_SETFD, FD_CLOEXEC) }
    }
}
