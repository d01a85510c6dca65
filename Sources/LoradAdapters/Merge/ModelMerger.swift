import Dispatch
import Glibc
import LoradSystem
import LoradTensors
import Synchronization

/// Writes a whole base with adapters fused in: every base tensor kept with its
/// dtype and the base's `__metadata__`, touched weights replaced by
/// `round_once(W + sum_i w_i * s_i * B_i A_i)`.
///
/// The job is a two-stage pipeline: the calling thread fuses tensor i+1 (the
/// kernel itself uses both cores) straight into one of two block-aligned
/// buffers while a ``BlockStreamWriter`` writes tensor i with direct I/O
/// (falling back to the page cache where the file system has none). The output
/// is a temp file renamed into place after `fsync`.
public enum ModelMerger {
    /// One panel worker per online core (1 to 16).
    public static var defaultPanelWorkers: Int {
        min(max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1), 16)
    }

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
    ///   - panelWorkers: threads that each fuse whole row panels with
    ///     single-threaded BLAS (see ``FuseKernel``), by default one per online
    ///     core; 1 lets OpenBLAS thread each GEMM instead. The output is the same
    ///     either way. Measured on 2 cores: the workers keep OpenBLAS's idle
    ///     threads from spinning (`sched_yield`) while the other phases run.
    ///   - progress: called after each tensor is fused or queued.
    /// - Throws: ``AdapterError`` for an incompatible adapter, ``FuseError``,
    ///   ``SafetensorsError`` or ``SystemError`` when writing fails.
    public static func merge(
        base: SafetensorsModel, baseName: String, adapters: [WeightedAdapter],
        to path: String, accumulation: FuseAccumulation = .double, panelWorkers: Int = defaultPanelWorkers,
        progress: Progress? = nil
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
            try write(layout: layout, base: base, adapters: resolved, accumulation: accumulation,
                      panelWorkers: panelWorkers, to: fd, progress: progress)
        }
    }

    /// Writes the header and every tensor of `layout` into `fd` in file order,
    /// fusing the touched ones straight into the writer's buffers.
    private static func write(
        layout: SafetensorsLayout, base: SafetensorsModel, adapters: [WeightedAdapter],
        accumulation: FuseAccumulation, panelWorkers: Int, to fd: FileDescriptor, progress: Progress?
    ) throws {
        // The layout was made from the base's own entries, so every name resolves.
        var pieces: [(tensor: Tensor, terms: [(module: LoraModule, coefficient: Double)], range: Range<Int>)] = []
        for entry in layout.entries {
            guard let range = layout.range(of: entry.name), let tensor = base.tensor(named: entry.name) else { continue }
            pieces.append((tensor, TensorFusion.modules(touching: entry.name, in: adapters), range))
        }
        pieces.sort { $0.range.lowerBound < $1.range.lowerBound }
        let largestFused = pieces.reduce(0) { $1.terms.isEmpty ? $0 : max($0, $1.range.count) }
        let writer = BlockStreamWriter(fd: fd, pieceCapacity: largestFused)
        defer { writer.drain() }

        let header = layout.headerBytes
        try writer.produce(count: header.count) { $0.copyBytes(from: header) }
        var position = header.count
        let scratch = FuseScratch()
        for (done, piece) in pieces.enumerated() {
            if piece.range.lowerBound > position {  // Never for a layout we built; kept zero-filled if it were.
                try writer.produce(count: piece.range.lowerBound - position) { $0.initializeMemory(as: UInt8.self, repeating: 0) }
            }
            if piece.terms.isEmpty {
                try piece.tensor.withUnsafeBytes { bytes in
                    var start = 0
                    while start < bytes.count {
                        let count = min(writer.capacity, bytes.count - start)
                        try writer.produce(count: count) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + count)])) }
                        start += count
                    }
                }
            } else {
                try writer.produce(count: piece.range.count) { destination in
                    try TensorFusion.fuse(base: piece.tensor, terms: piece.terms, into: destination,
                                          scratch: scratch, accumulation: accumulation, panelWorkers: panelWorkers)
                }
            }
            position = piece.range.upperBound
            progress?(done + 1, pieces.count)
        }
        try writer.finish(totalSize: Int64(layout.totalSize))
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
