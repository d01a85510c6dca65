import Glibc

/// One `mmap`ed span, page aligned, and the caller's view inside it. Internal:
/// ``MappedRegion`` and ``MutableMappedRegion`` own one each and unmap it.
struct PageMapping {
    /// What `mmap` returned, nil for an empty view (nothing was mapped).
    let base: UnsafeMutableRawPointer?
    /// The length passed to `mmap`.
    let length: Int
    /// The caller's bytes: `length` bytes at `offset` of the file.
    let view: UnsafeMutableRawBufferPointer

    /// A mapping of nothing.
    static var empty: PageMapping { PageMapping() }

    private init() {
        self.init(base: nil, length: 0, view: UnsafeMutableRawBufferPointer(start: nil, count: 0))
    }

    private init(base: UnsafeMutableRawPointer?, length: Int, view: UnsafeMutableRawBufferPointer) {
        self.base = base
        self.length = length
        self.view = view
    }

    /// The system page size in bytes.
    static let pageSize: Int = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Maps `length` bytes of `fd` starting at byte `offset` (any alignment).
    ///
    /// The corresponding C function is `mmap`.
    init(fd: FileDescriptor, offset: Int, length: Int, writable: Bool, path: String?) throws(SystemError) {
        guard offset >= 0, length >= 0, !offset.addingReportingOverflow(length).overflow else {
            throw SystemError(errno: EINVAL, operation: "mmap (bad range \(offset)+\(length))", path: path)
        }
        if length == 0 {
            self.init()
            return
        }
        let slack = offset % PageMapping.pageSize
        let protection = writable ? (PROT_READ | PROT_WRITE) : PROT_READ
        let mapped = mmap(nil, length + slack, protection, MAP_SHARED, fd.rawValue, off_t(offset - slack))
        guard let mapped, mapped != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw SystemError.current("mmap", path: path)
        }
        self.init(base: mapped, length: length + slack, view: UnsafeMutableRawBufferPointer(start: mapped + slack, count: length))
    }

    /// Unmaps the span; a no-op for an empty view.
    ///
    /// The corresponding C function is `munmap`.
    func unmap() {
        // munmap only fails for arguments mmap returned itself, so ignore it.
        if let base { _ = munmap(base, length) }
    }

    /// Writes dirty pages of the span back to the file and waits.
    ///
    /// The corresponding C function is `msync`.
    func sync(path: String?) throws(SystemError) {
        guard let base else { return }
        _ = try retryingInterrupts("msync", path: path) { msync(base, length, MS_SYNC) }
    }
}
