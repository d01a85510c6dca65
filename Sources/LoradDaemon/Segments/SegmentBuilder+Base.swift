import LoradSystem
import LoradTensors

extension SegmentBuilder {
    /// Copies every tensor of `model` (one file or shards) into a base segment named
    /// `lorad-base-<name>`: safetensors layout (``SafetensorsLayout``, every tensor naturally
    /// aligned), the model's `__metadata__` kept, same names, dtypes, shapes and bytes.
    ///
    /// - Parameters:
    ///   - progress: called after each tensor with (tensors done, tensors in all), on the
    ///     building thread.
    /// - Throws: ``SafetensorsError`` when the model cannot be laid out, ``SystemError``.
    public static func base(
        from model: SafetensorsModel, name: String, progress: ((Int, Int) -> Void)? = nil
    ) throws -> Segment {
        let entries = model.names.compactMap { tensorName in
            model.entry(named: tensorName).map { SafetensorsLayout.Entry(name: tensorName, dtype: $0.dtype, shape: $0.shape) }
        }
        let layout = try SafetensorsLayout(entries: entries, metadata: model.metadata)
        var done = 0
        return try build(kind: .base, key: name, layout: layout) { entry, destination in
            model.tensor(named: entry.name)?.withUnsafeBytes { destination.copyMemory(from: $0) }
            done += 1
            progress?(done, layout.entries.count)
        }
    }
}
