import LoradSystem

/// The bytes behind one or more ``Tensor``s: either a read-only file mapping
/// (zero-copy) or heap memory this object allocated and frees.
///
/// `@unchecked Sendable` is safe: the bytes never change after `init` (a mapping
/// is `PROT_READ`; heap memory is written only inside `init`), and they are
/// released only in `deinit`, when no other reference exists.
public final class TensorStorage: @unchecked Sendable {
    private let region: MappedRegion?
    private let heap: UnsafeMutableRawBufferPointer?

    /// The bytes; valid only while this object is alive (prefer ``withUnsafeBytes(_:)``).
    public let bytes: UnsafeRawBufferPointer

    /// The number of bytes.
    public var count: Int { bytes.count }

    /// Alignment of heap storage: enough for any dtype and for SIMD loads.
    public static let heapAlignment = 64

    /// Copies `bytes` into new heap memory aligned to ``heapAlignment``.
    public convenience init(copying bytes: [UInt8]) {
        self.init(byteCount: bytes.count) { buffer in
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        }
    }

    /// Allocates `byteCount` zeroed, aligned heap bytes and lets `fill` write
    /// them once; afterwards they are immutable. A negative count is taken as 0.
    /// - Throws: whatever `fill` throws (the memory is freed).
    public init<Failure: Error>(
        byteCount: Int, fill: (UnsafeMutableRawBufferPointer) throws(Failure) -> Void
    ) throws(Failure) {
        let count = max(0, byteCount)
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: TensorStorage.heapAlignment)
        memory.initializeMemory(as: UInt8.self, repeating: 0)
        do {
            try fill(memory)
        } catch {
            memory.deallocate()
            throw error
        }
        heap = memory
        region = nil
        bytes = UnsafeRawBufferPointer(memory)
    }

    /// Maps the whole file at `path` read-only (zero-copy, shared with the page cache).
    /// - Throws: ``SystemError`` from `open`, `fstat` or `mmap`.
    public convenience init(mapping path: String) throws(SystemError) {
        self.init(region: try MappedRegion(path: path))
    }

    /// Wraps an existing read-only mapping (of a file or a memfd), keeping it alive.
    public init(region: MappedRegion) {
        self.region = region
        heap = nil
        bytes = region.bytes
    }

    /// Calls `body` with the bytes, keeping them alive meanwhile.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        defer { withExtendedLifetime(self) {} }
        return try body(bytes)
    }

    deinit { heap?.deallocate() }
}
