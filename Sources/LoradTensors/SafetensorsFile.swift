import LoradSystem

/// A safetensors file held in memory zero-copy: usually a read-only mapping of
/// a file or memfd, whose header has been validated by ``SafetensorsHeader``.
///
/// Tensors returned by ``tensor(named:)`` are views of the same storage; they
/// keep it alive after the file object is gone.
public final class SafetensorsFile: Sendable {
    /// The file's path, or the display name it was given.
    public let name: String
    /// The bytes of the whole file.
    public let storage: TensorStorage
    /// The validated header.
    public let header: SafetensorsHeader

    /// Maps the file at `path` read-only and validates its header.
    /// - Throws: ``SafetensorsError/inFile(path:_:)`` wrapping the parse error,
    ///   or ``SafetensorsError/io(_:)`` when it cannot be opened or mapped.
    public convenience init(path: String) throws(SafetensorsError) {
        let storage: TensorStorage
        do {
            storage = try TensorStorage(mapping: path)
        } catch {
            throw .io(error)
        }
        try self.init(storage: storage, name: path)
    }

    /// Validates the safetensors file held in `storage` (all of it).
    /// - Throws: ``SafetensorsError/inFile(path:_:)`` with `name` and the parse error.
    public init(storage: TensorStorage, name: String) throws(SafetensorsError) {
        do {
            header = try storage.withUnsafeBytes { (bytes) throws(SafetensorsError) in try SafetensorsHeader.parse(bytes) }
        } catch {
            throw .inFile(path: name, error)
        }
        self.storage = storage
        self.name = name
    }

    /// The `__metadata__` map, nil when the file has none.
    public var metadata: [String: String]? { header.metadata }

    /// The tensors in file order.
    public var entries: [TensorEntry] { header.entries }

    /// The tensor names, sorted.
    public var names: [String] { header.names }

    /// The entry named `name`, if any.
    public func entry(named name: String) -> TensorEntry? { header.entry(named: name) }

    /// A zero-copy view of the tensor named `name`, nil when there is none.
    public func tensor(named name: String) -> Tensor? {
        guard let entry = header.entry(named: name) else { return nil }
        return tensor(for: entry)
    }

    /// A zero-copy view of a tensor of this file's header.
    func tensor(for entry: TensorEntry) -> Tensor? {
        let start = header.dataStart + entry.dataOffsets.lowerBound
        let end = header.dataStart + entry.dataOffsets.upperBound
        // Cannot fail: the header was validated against this storage.
        return try? Tensor(dtype: entry.dtype, shape: entry.shape, storage: storage, byteRange: start..<end)
    }
}
