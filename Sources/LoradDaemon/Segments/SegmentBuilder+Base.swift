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
        let count = layout.entries.count
        // Written, not mapped and filled: see buildByWriting(kind:key:byteSize:write:).
        return try buildByWriting(kind: .base, key: name, byteSize: layout.totalSize) { fd in
            try layout.headerBytes.withUnsafeBytes { header in try fd.write(toAbsoluteOffset: 0, header) }
            for (index, entry) in layout.entries.enumerated() {
                if let range = layout.range(of: entry.name), let tensor = model.tensor(named: entry.name) {
                    let offset = Int64(range.lowerBound)
                    try tensor.withUnsafeBytes { bytes in
                        try fd.write(toAbsoluteOffset: offset, UnsafeRawBufferPointer(rebasing: bytes.prefix(range.count)))
                    }
                }
                progress?(index + 1, count)
            }
        }
    }
}
