import Dispatch
import LoradSystem
import LoradTensors
import Synchronization

/// Writes a whole base with adapters fused in: every base tensor kept with its
/// dtype and the base's `__metadata__`, touched weights replaced by
/// `round_once(W + sum_i w_i * s_i * B_i A_i)`.
///
/// The job is a two-stage pipeline: the calling thread fuses tensor i+1 (the
/// kernel itself uses both cores) while a writer thread `pwrite`s tensor i from
/// one of two buffers; untouched tensors are written straight from the base's
/// mapping. The output is a temp file renamed into place after `fsync`.
public enum ModelMerger {
    /// Progress of a merge: tensors done and in all, called on the merging thread.
    public typealias Progress = (_ done: Int, _ total: Int) -> Void

    /// Merges `adapters` into `base` and writes the result to `path` atomically
    /// (a temp file renamed over `path`; nothing is left behind on failure).
    ///
    /// - Parameters:
    ///   - base: the base model (one file or a sharded folder).
    ///   - baseName: its name for messages.
    ///   - adapters: adapters with weights; each is resolved against the base
    ///     first, so a kohya adapter gets the base's names and a mismatch throws
    ///     before anything is written.
    ///   - accumulation: F64 (default: every element correctly rounded) or F32
    ///     (about twice as fast; within 0.52 ulp except where the terms nearly
    ///     cancel the weight, as diffusers and PEFT are).
    ///   - progress: called after each tensor is fused or queued.
    /// - Throws: ``AdapterError`` for an incompatible adapter, ``FuseError``,
    ///   ``SafetensorsError`` or ``SystemError`` when writing fails.
    public static func merge(
        base: SafetensorsModel, baseName: String, adapters: [WeightedAdapter],
        to path: String, accumulation: FuseAccumulation = .double, progress: Progress? = nil
    ) throws {
        let description = base.description(named: baseName)
        let resolved = try adapters.map { weighted throws(AdapterError) in
            WeightedAdapter(adapter: try weighted.adapter.resolved(against: description), weight: weighted.weight)
        }
        let entries = base.names.compactMap { name in
            base.entry(named: name).map { SafetensorsLayout.Entry(name: name, dtype: $0.dtype, shape: $0.shape) }
        }
        let layout = try SafetensorsLayout(entries: entries, metadata: base.metadata)
        try DurableFile.writeAtomically(to: path) { fd in
            try fd.truncate(toSize: Int64(layout.totalSize))
            try layout.headerBytes.withUnsafeBytes { try fd.write(toAbsoluteOffset: 0, $0) }
            try write(layout: layout, base: base, adapters: resolved, accumulation: accumulation, to: fd, progress: progress)
        }
    }

    /// Fuses and writes every tensor of `layout` into `fd` (header already written).
    private static func write(
        layout: SafetensorsLayout, base: SafetensorsModel, adapters: [WeightedAdapter],
        accumulation: FuseAccumulation, to fd: FileDescriptor, progress: Progress?
    ) throws {
        let termsByEntry = layout.entries.map { TensorFusion.modules(touching: $0.name, in: adapters) }
        let largestFused = zip(layout.entries, termsByEntry).reduce(0) { largest, pair in
            pair.1.isEmpty ? largest : max(largest, layout.range(of: pair.0.name)?.count ?? 0)
        }
        let writer = PipelinedWriter(fd: fd, bufferBytes: largestFused)
        defer { writer.drain() }
        let scratch = FuseScratch()
        var done = 0
        for (entry, terms) in zip(layout.entries, termsByEntry) {
            guard let range = layout.range(of: entry.name), let tensor = base.tensor(named: entry.name) else { continue }
            if terms.isEmpty {
                try writer.enqueue(tensor: tensor, at: range.lowerBound)
            } else {
                let slot = try writer.takeBuffer()
                let destination = UnsafeMutableRawBufferPointer(rebasing: writer.buffer(slot)[0..<range.count])
                do {
                    try TensorFusion.fuse(base: tensor, terms: terms, into: destination, scratch: scratch, accumulation: accumulation)
                } catch {
                    writer.returnBuffer(slot)
                    throw error
                }
                try writer.enqueue(buffer: slot, count: range.count, at: range.lowerBound)
            }
            done += 1
            progress?(done, layout.entries.count)
        }
        try writer.finish()
    }
}

/// The writer stage of ``ModelMerger``: a serial queue that `pwrite`s tensors in
/// the order given, with two reusable buffers for fused tensors so fusing one
/// overlaps writing the previous.
///
/// `@unchecked Sendable`: the buffers move between the fusing thread and the
/// writer queue through the semaphore (a buffer is touched by one side at a
/// time); the first error is kept under a mutex.
private final class PipelinedWriter: @unchecked Sendable {
    private let fd: FileDescriptor
    private let queue = DispatchQueue(label: "lorad.merge.writer")
    private let free = DispatchSemaphore(value: 0)
    private var buffers: [UnsafeMutableRawBufferPointer] = []
    private let freeBuffers = Mutex<[Int]>([])
    private let failure = Mutex<(any Error)?>(nil)

    init(fd: FileDescriptor, bufferBytes: Int) {
        self.fd = fd
        if bufferBytes > 0 {
            for _ in 0..<2 {
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferBytes, alignment: 64)
                freeBuffers.withLock { $0.append(buffers.count) }
                buffers.append(buffer)
                free.signal()
            }
        }
    }

    deinit {
        queue.sync {}
        for buffer in buffers { buffer.deallocate() }
    }

    /// Buffer number `slot`.
    func buffer(_ slot: Int) -> UnsafeMutableRawBufferPointer { buffers[slot] }

    /// The number of a free buffer (waits for the writer to release one).
    func takeBuffer() throws -> Int {
        try rethrowFailure()
        free.wait()
        return freeBuffers.withLock { $0.removeLast() }
    }

    /// Gives back a buffer that will not be written.
    func returnBuffer(_ slot: Int) {
        freeBuffers.withLock { $0.append(slot) }
        free.signal()
    }

    /// Writes `count` bytes of `buffer` at `offset`, then frees the buffer.
    func enqueue(buffer slot: Int, count: Int, at offset: Int) throws {
        try rethrowFailure()
        queue.async { [self] in
            perform {
                try fd.write(toAbsoluteOffset: Int64(offset), UnsafeRawBufferPointer(rebasing: buffers[slot][0..<count]))
                try? fd.startWriteback(offset: Int64(offset), length: Int64(count))
            }
            returnBuffer(slot)
        }
    }

    /// Writes an untouched tensor's bytes (kept alive by the tensor) at `offset`.
    func enqueue(tensor: Tensor, at offset: Int) throws {
        try rethrowFailure()
        queue.async { [self] in
            perform {
                try tensor.withUnsafeBytes { try fd.write(toAbsoluteOffset: Int64(offset), $0) }
                try? fd.startWriteback(offset: Int64(offset), length: Int64(tensor.byteCount))
            }
        }
    }

    /// Waits for every queued write; throws the first failure.
    func finish() throws {
        queue.sync {}
        try rethrowFailure()
    }

    /// Waits for every queued write, ignoring failures (cleanup path).
    func drain() {
        queue.sync {}
    }

    private func perform(_ body: () throws -> Void) {
        guard failure.withLock({ $0 == nil }) else { return }
        do { try body() } catch { failure.withLock { $0 = $0 ?? error } }
    }

    private func rethrowFailure() throws {
        if let error = failure.withLock({ $0 }) { throw error }
    }
}

extension SafetensorsModel {
    /// The model's shapes as a ``BaseDescription`` named `name`.
    public func description(named name: String) -> BaseShapes {
        var shapes: [String: (dtype: DType, shape: [Int])] = [:]
        for tensorName in names {
            if let entry = entry(named: tensorName) { shapes[tensorName] = (entry.dtype, entry.shape) }
        }
        return BaseShapes(displayName: name, shapes: shapes)
    }
}
