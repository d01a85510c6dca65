/// Reusable working memory for ``FuseKernel``, so that a merge of many tensors does
/// not allocate per tensor.
///
/// Holds a few 64-byte-aligned buffers that grow to the largest request seen and
/// are freed when the scratch is deinitialised. The kernel uses at most
/// `panelWorkers + 2 * terms` buffers: a row panel (4 MiB by default) per worker and the factors that
/// need converting to the accumulator type. A scratch is not `Sendable` and serves one fuse
/// call at a time: give each concurrent caller its own.
public final class FuseScratch {
    private var buffers: [(pointer: UnsafeMutableRawPointer, byteCount: Int)] = []

    /// An empty scratch; buffers are allocated on first use.
    public init() {}

    deinit {
        for buffer in buffers { buffer.pointer.deallocate() }
    }

    /// Bytes currently held by this scratch.
    public var reservedByteCount: Int {
        buffers.reduce(0) { $0 + $1.byteCount }
    }

    /// Buffer number `slot`, grown to hold at least `count` values of `T`. The
    /// contents are unspecified; the pointer stays valid until the next call with
    /// the same slot or the scratch's deinitialisation. `count * stride` must not
    /// overflow (the kernel bounds it first).
    func buffer<T>(_ slot: Int, count: Int, of type: T.Type) -> UnsafeMutablePointer<T> {
        let byteCount = max(64, count * MemoryLayout<T>.stride)
        while buffers.count <= slot {
            buffers.append((UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64), 64))
        }
        if buffers[slot].byteCount < byteCount {
            buffers[slot].pointer.deallocate()
            buffers[slot] = (UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64), byteCount)
        }
        return buffers[slot].pointer.bindMemory(to: T.self, capacity: count)
    }
}
