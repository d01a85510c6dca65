import Glibc

/// A read-only, shared memory mapping of a file or of a byte range of one;
/// unmapped when the last reference goes away.
///
/// Zero-length files and ranges give an empty ``bytes`` without calling `mmap`.
/// The mapping shares pages with the page cache (or the memfd's shmem), so many
/// processes mapping the same file use one copy. If another process shrinks the
/// file while it is mapped, touching the lost pages raises `SIGBUS`: map only
/// files lorad owns, or sealed memfds.
///
/// `@unchecked Sendable` is safe: the mapping is read-only (`PROT_READ`), its
/// address and length never change after `init`, and it is unmapped only in
/// `deinit`, when no other reference exists.
public final class MappedRegion: @unchecked Sendable {
    private let mapping: PageMapping

    /// The mapped bytes; valid only while this object is alive. Swift may release
    /// an object right after its last use, so prefer ``withUnsafeBytes(_:)`` or
    /// keep the region alive with `withExtendedLifetime`.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(mapping.view) }

    /// Calls `body` with the mapped bytes, keeping the mapping alive meanwhile.
    /// `body` must not keep the pointer.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        defer { withExtendedLifetime(self) {} }
        return try body(bytes)
    }

    /// The number of mapped bytes.
    public var count: Int { mapping.view.count }

    /// The path the region was mapped from, when it was mapped by path.
    public let path: String?

    /// Maps the whole file at `path` read-only. The descriptor is closed before
    /// returning; the mapping stays valid. The file is opened with
    /// ``FileDescriptor/openRegularFile(_:)``: a FIFO is refused, never waited on.
    ///
    /// The corresponding C function is `mmap`.
    /// - Throws: ``SystemError`` from `open`, `fstat` or `mmap`; `ENODEV` for a path that
    ///   is not a regular file.
    public init(path: String) throws(SystemError) {
        let fd = try FileDescriptor.openRegularFile(path)
        defer { try? fd.close() }
        let size = try fd.status().size
        mapping = try PageMapping(fd: fd, offset: 0, length: size, writable: false, path: path)
        self.path = path
    }

    /// Maps `length` bytes of `fileDescriptor` from byte `offset` read-only
    /// (the whole file from `offset` when `length` is nil). The descriptor stays
    /// open and owned by the caller; the mapping outlives a later `close`.
    ///
    /// The corresponding C function is `mmap`.
    /// - Throws: ``SystemError`` (`EINVAL` for a negative or overflowing range).
    public init(fileDescriptor: FileDescriptor, offset: Int = 0, length: Int? = nil) throws(SystemError) {
        let count: Int
        if let length {
            count = length
        } else {
            count = try fileDescriptor.status().size - offset
        }
        mapping = try PageMapping(fd: fileDescriptor, offset: offset, length: count, writable: false, path: nil)
        path = nil
    }

    deinit { mapping.unmap() }
}
