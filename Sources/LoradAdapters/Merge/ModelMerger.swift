import LoradSystem
import LoradTensors

/// Writes a whole base with adapters fused in: every base tensor kept with its
/// dtype and the base's `__metadata__`, touched weights replaced by
/// `round_once(W + sum_i w_i * s_i * B_i A_i)`.
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
    ///   - progress: called after each tensor.
    /// - Throws: ``AdapterError`` for an incompatible adapter, ``FuseError``,
    ///   ``SafetensorsError`` or ``SystemError`` when writing fails.
    public static func merge(
        base: SafetensorsModel, baseName: String, adapters: [WeightedAdapter],
        to path: String, progress: Progress? = nil
    ) throws {
        let description = base.description(named: baseName)
        let resolved = try adapters.map { weighted throws(AdapterError) in
            WeightedAdapter(adapter: try weighted.adapter.resolved(against: description), weight: weighted.weight)
        }
        let names = base.names
        let entries = names.compactMap { name in
            base.entry(named: name).map { SafetensorsLayout.Entry(name: name, dtype: $0.dtype, shape: $0.shape) }
        }
        let layout = try SafetensorsLayout(entries: entries, metadata: base.metadata)
        let scratch = FuseScratch()
        try DurableFile.writeAtomically(to: path, size: layout.totalSize) { file in
            file.copyBytes(from: layout.headerBytes)
            var done = 0
            for entry in layout.entries {
                guard let range = layout.range(of: entry.name), let tensor = base.tensor(named: entry.name) else { continue }
                let destination = UnsafeMutableRawBufferPointer(rebasing: file[range])
                let terms = TensorFusion.modules(touching: entry.name, in: resolved)
                if terms.isEmpty {
                    tensor.withUnsafeBytes { destination.copyMemory(from: $0) }
                } else {
                    try TensorFusion.fuse(base: tensor, terms: terms, into: destination, scratch: scratch)
                }
                done += 1
                progress?(done, layout.entries.count)
            }
        }
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
