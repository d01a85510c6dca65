import Dispatch
import Glibc
import LoradSystem
import Synchronization

/// The writer stage of ``ModelMerger``: the output file is produced front to back
/// as one byte stream and written in whole 4 KiB blocks, with direct I/O when the
/// file system allows it, so the bytes go from our buffer to the device without
/// a second copy into the page cache (on the 2-core development machine that
/// copy was a quarter of a merge's CPU time).
///
/// Two block-aligned buffers alternate: the producer fills one piece (the header,
/// a fused tensor, a slice of an untouched tensor) straight into a buffer, after
/// the tail of the previous piece that did not fill a block (the carry, under
/// 4096 bytes, the only bytes copied twice), while a serial queue writes the
/// other. ``finish(totalSize:)`` writes the last partial block zero-padded and
/// cuts the file to its exact size. Without direct I/O (or when the device
/// refuses a direct write with `EINVAL`) the same blocks are written through the
/// page cache, with writeback started at once.
///
/// Producer calls (``produce(count:_:)``, ``finish(totalSize:)``) come from one
/// thread. `@unchecked Sendable`: each buffer is touched by one side at a time,
/// handed over through the queue and the `free` semaphore; `direct` is only
/// touched on the queue; the first write error is kept under a mutex.
final class BlockStreamWriter: @unchecked Sendable {
    /// The write granularity and buffer alignment in bytes: a multiple of every
    /// logical block size direct I/O asks for on common devices.
    static let blockSize = 4096

    /// Piece capacity used when no fused tensor asks for more.
    static let minimumCapacity = 8 << 20

    /// The largest piece ``produce(count:_:)`` accepts, in bytes.
    let capacity: Int

    /// Whether direct I/O was turned on (it may still be dropped on the first
    /// write the device refuses).
    let startedDirect: Bool

    private let fd: FileDescriptor
    private let queue = DispatchQueue(label: "lorad.merge.writer")
    private let free = DispatchSemaphore(value: 0)
    private let buffers: [UnsafeMutableRawBufferPointer]
    private let freeBuffers = Mutex<[Int]>([])
    private let failure = Mutex<(any Error)?>(nil)
    /// Whether writes go around the page cache (queue only).
    private var direct: Bool
    /// Producer side: the bytes after the last whole block, and the file offset
    /// (a block boundary) where they start.
    private var carry: [UInt8] = []
    private var carryOffset: Int64 = 0

    /// A writer for `fd` that starts at offset 0 and takes pieces of up to
    /// `pieceCapacity` bytes (at least ``minimumCapacity``); `directIO` false
    /// writes through the page cache even where direct I/O would work.
    init(fd: FileDescriptor, pieceCapacity: Int, directIO: Bool = true) {
        self.fd = fd
        capacity = max(pieceCapacity, Self.minimumCapacity)
        let bufferBytes = (capacity / Self.blockSize + 2) * Self.blockSize
        buffers = (0..<2).map { _ in
            UnsafeMutableRawBufferPointer.allocate(byteCount: bufferBytes, alignment: Self.blockSize)
        }
        freeBuffers.withLock { $0 = [1, 0] }
        free.signal()
        free.signal()
        direct = directIO && (try? fd.setDirectIO(true)) != nil
        startedDirect = direct
    }

    deinit {
        queue.sync {}
        for buffer in buffers { buffer.deallocate() }
    }

    /// Appends `count` bytes (at most ``capacity``) to the stream: `fill` writes
    /// them into the buffer it is given (exactly `count` bytes, no alignment
    /// promised) and must not keep it. Whole blocks are queued for writing.
    ///
    /// - Throws: an earlier write's error, whatever `fill` throws, or
    ///   ``SystemError`` (`EINVAL`) when `count` exceeds ``capacity``.
    func produce(count: Int, _ fill: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        guard count >= 0, count <= capacity else {
            throw SystemError(errno: EINVAL, operation: "merge output piece of \(count) bytes (at most \(capacity))")
        }
        try rethrowFailure()
        let slot = takeBuffer()
        let buffer = buffers[slot]
        let kept = carry.count
        carry.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[0..<kept]).copyMemory(from: $0) }
        do {
            try fill(UnsafeMutableRawBufferPointer(rebasing: buffer[kept..<(kept + count)]))
        } catch {
            returnBuffer(slot)
            throw error
        }
        let total = kept + count
        let whole = total / Self.blockSize * Self.blockSize
        carry = Array(buffer[whole..<total])
        queueBlocks(slot: slot, count: whole)
    }

    /// Writes the last partial block (zero-padded), waits for every write, and
    /// sets the file's size to `totalSize` (the bytes produced).
    ///
    /// - Throws: the first write error, or ``SystemError`` from `ftruncate`.
    func finish(totalSize: Int64) throws {
        if !carry.isEmpty {
            try produce(count: Self.blockSize - carry.count) { $0.initializeMemory(as: UInt8.self, repeating: 0) }
        }
        queue.sync {}
        try rethrowFailure()
        try fd.truncate(toSize: totalSize)
    }

    /// Waits for every queued write, ignoring failures (cleanup path).
    func drain() {
        queue.sync {}
    }

    /// Queues the first `count` bytes (whole blocks) of buffer `slot` for writing
    /// at the carry offset, then frees the buffer; with nothing to write, frees it now.
    private func queueBlocks(slot: Int, count: Int) {
        guard count > 0 else {
            returnBuffer(slot)
            return
        }
        let offset = carryOffset
        carryOffset += Int64(count)
        queue.async { [self] in
            perform { try writeBlocks(UnsafeRawBufferPointer(rebasing: buffers[slot][0..<count]), at: offset) }
            returnBuffer(slot)
        }
    }

    /// Writes whole blocks at a block-aligned offset (queue only), falling back
    /// to the page cache for good when the device refuses direct I/O.
    private func writeBlocks(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        if direct {
            do {
                try fd.write(toAbsoluteOffset: offset, bytes)
                return
            } catch where error.errno == EINVAL {
                direct = false
                try fd.setDirectIO(false)
            }
        }
        try fd.write(toAbsoluteOffset: offset, bytes)
        try? fd.startWriteback(offset: offset, length: Int64(bytes.count))
    }

    private func takeBuffer() -> Int {
        free.wait()
        return freeBuffers.withLock { $0.removeLast() }
    }

    private func returnBuffer(_ slot: Int) {
        freeBuffers.withLock { $0.append(slot) }
        free.signal()
    }

    private func perform(_ body: () throws -> Void) {
        guard failure.withLock({ $0 == nil }) else { return }
        do { try body() } catch { failure.withLock { $0 = $0 ?? error } }
    }

    private func rethrowFailure() throws {
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
