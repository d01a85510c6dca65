import Glibc

/// A writable, shared memory mapping of a byte range of an open file, for filling
/// a new file or memfd in place. Writes reach the file (``sync()`` makes them
/// durable). Unmapped by ``unmap()`` or when the last reference goes away.
///
/// Unmap before sealing a memfd with `F_SEAL_WRITE`: the kernel refuses the
/// seal (`EBUSY`) while a writable shared mapping exists.
///
/// `@unchecked Sendable` so that several workers can fill disjoint parts of one
/// region in parallel: the address never changes until ``unmap()``; callers must
/// not write overlapping bytes from two threads, nor unmap while others write.
public final class MutableMappedRegion: @unchecked Sendable {
    private var mapping: PageMapping

    /// The mapped bytes; valid until ``unmap()`` or deinit, empty afterwards.
    /// Swift may release an object right after its last use, so prefer
    /// ``withUnsafeMutableBytes(_:)`` or `withExtendedLifetime`.
    public var bytes: UnsafeMutableRawBufferPointer { mapping.view }

    /// Calls `body` with the mapped bytes, keeping the mapping alive meanwhile.
    /// `body` must not keep the pointer.
    public func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        defer { withExtendedLifetime(self) {} }
        return try body(bytes)
    }

    /// Maps `length` bytes of `fileDescriptor` from byte `offset` for reading and
    /// writing. The file must already be at least `offset + length` bytes long
    /// (use ``FileDescriptor/truncate(toSize:)``) and opened read-write.
    ///
    /// The corresponding C function is `mmap`.
    /// - Throws: ``SystemError`` (`EACCES` when the descriptor is not read-write).
    public init(fileDescriptor: FileDescriptor, offset: Int = 0, length: Int) throws(SystemError) {
        mapping = try PageMapping(fd: fileDescriptor, offset: offset, length: length, writable: true, path: nil)
    }

    /// Writes the dirty pages back to the file and waits for the device.
    ///
    /// The corresponding C function is `msync`.
    public func sync() throws(SystemError) { try mapping.sync(path: nil) }

    /// Unmaps now; ``bytes`` becomes empty. Calling it again does nothing.
    ///
    /// The corresponding C function is `munmap`.
    public func unmap() {
        mapping.unmap()
        mapping = PageMapping.empty
    }

    deinit { mapping.unmap() }
}
