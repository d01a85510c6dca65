import LoradSystem

/// Writes safetensors files: durably to disk (temp file, fsync, rename) or to
/// memory. Layouts come from ``SafetensorsLayout``.
public enum SafetensorsWriter {
    /// Writes a file of `layout` to `path` atomically: `fill` is called once per
    /// tensor, in file order, with that tensor's bytes in a shared mapping of the
    /// new file (zeroed), and writes them.
    /// - Throws: ``SystemError``, ``SafetensorsError`` or whatever `fill`
    ///   throws; on error `path` is untouched.
    public static func write(
        layout: SafetensorsLayout, to path: String, permissions: FilePermissions = .defaultFile,
        fill: (SafetensorsLayout.Entry, UnsafeMutableRawBufferPointer) throws -> Void
    ) throws {
        try DurableFile.writeAtomically(to: path, permissions: permissions, size: layout.totalSize) { buffer in
            try layout.write(into: buffer, fill: fill)
        }
    }

    /// Writes `tensors` and `metadata` to `path` atomically.
    /// - Throws: ``SafetensorsError`` (duplicate or reserved names), ``SystemError``.
    public static func write(
        tensors: [(name: String, tensor: Tensor)], metadata: [String: String]? = nil, to path: String,
        permissions: FilePermissions = .defaultFile
    ) throws {
        let (layout, byName) = try plan(tensors, metadata: metadata)
        try write(layout: layout, to: path, permissions: permissions) { entry, buffer in
            byName[entry.name]?.withUnsafeBytes { buffer.copyMemory(from: $0) }
        }
    }

    /// The bytes of a safetensors file holding `tensors` and `metadata`.
    /// - Throws: ``SafetensorsError`` (duplicate or reserved names).
    public static func serialize(
        tensors: [(name: String, tensor: Tensor)], metadata: [String: String]? = nil
    ) throws(SafetensorsError) -> [UInt8] {
        let (layout, byName) = try plan(tensors, metadata: metadata)
        do {
            return try serialize(layout: layout) { entry, buffer in
                byName[entry.name]?.withUnsafeBytes { buffer.copyMemory(from: $0) }
            }
        } catch let error as SafetensorsError {
            throw error
        } catch {
            // The fill above cannot throw.
            return []
        }
    }

    /// The bytes of a safetensors file of `layout`, filled by `fill` once per tensor.
    /// - Throws: whatever `fill` throws.
    public static func serialize(
        layout: SafetensorsLayout, fill: (SafetensorsLayout.Entry, UnsafeMutableRawBufferPointer) throws -> Void
    ) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: layout.totalSize)
        try output.withUnsafeMutableBytes { try layout.write(into: $0, fill: fill) }
        return output
    }

    private static func plan(
        _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String]?
    ) throws(SafetensorsError) -> (SafetensorsLayout, [String: Tensor]) {
        let layout = try SafetensorsLayout(
            entries: tensors.map { SafetensorsLayout.Entry(name: $0.name, dtype: $0.tensor.dtype, shape: $0.tensor.shape) },
            metadata: metadata)
        var byName: [String: Tensor] = [:]
        for (name, tensor) in tensors { byName[name] = tensor }
        return (layout, byName)
    }
}
