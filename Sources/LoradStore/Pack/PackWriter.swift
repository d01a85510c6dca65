import LoradTensors

/// Builds a pack: collects tensors and adapter metadata, then `encode(level:)` produces
/// the pack's bytes (docs/PACK_FORMAT.md). Pure: no file I/O; the store writes the bytes.
///
/// Tensors are copied in (value semantics) and stored sorted by the UTF-8 bytes of their
/// names, metadata sorted by key, so the same content always encodes to the same bytes
/// (packs are content-addressed).
public struct PackWriter: Sendable {
    /// The level `encode()` uses when none is given.
    public static let defaultLevel = 3
    /// The levels `encode(level:)` accepts.
    public static let levels = 1...19
    /// The largest metadata value, in UTF-8 bytes (16 MiB).
    public static let maxValueBytes = 16 << 20

    struct Pending: Sendable {
        var name: String
        var dtype: DType
        var shape: [Int]
        var transform: PackTransform
        var bytes: [UInt8]
    }

    /// Adapter-level metadata written into the manifest. Keys must be 1...4096 UTF-8
    /// bytes and values at most 16 MiB; `encode` throws otherwise.
    public var metadata: [String: String]
    var pending: [Pending] = []
    private var names: Set<String> = []

    /// An empty writer with the given metadata.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// The number of tensors added so far.
    public var tensorCount: Int { pending.count }

    /// Adds a tensor.
    ///
    /// - Parameters:
    ///   - name: unique, 1...4096 UTF-8 bytes.
    ///   - dtype: the element type.
    ///   - shape: dimensions (each >= 0, at most 16 of them; empty for a scalar).
    ///   - bytes: the tensor's little-endian bytes, exactly `dtype.byteCount` of the
    ///     shape's element count (copied).
    ///   - transform: nil picks `PackTransform.preferred(for: dtype)` (none for empty
    ///     tensors); an explicit one must apply to the dtype.
    /// - Throws: `PackError.invalidInput` naming the tensor and the problem.
    public mutating func addTensor(
        name: String, dtype: DType, shape: [Int], bytes: [UInt8], transform: PackTransform? = nil
    ) throws(PackError) {
        let nameBytes = name.utf8.count
        guard (1...PackFormat.maxNameBytes).contains(nameBytes) else {
            throw .invalidInput("tensor name must be 1...\(PackFormat.maxNameBytes) UTF-8 bytes, got \(nameBytes)")
        }
        guard !names.contains(name) else {
            throw .invalidInput("tensor '\(name)' was added twice")
        }
        guard pending.count < PackFormat.maxTensorCount else {
            throw .invalidInput("a pack holds at most \(PackFormat.maxTensorCount) tensors")
        }
        guard shape.count <= PackFormat.maxRank else {
            throw .invalidInput("tensor '\(name)' has \(shape.count) dimensions, at most \(PackFormat.maxRank) are allowed")
        }
        guard let elements = Tensor.elementCount(of: shape) else {
            throw .invalidInput("tensor '\(name)' has an invalid shape \(shape) (negative or overflowing)")
        }
        guard let expected = dtype.byteCount(elements: elements) else {
            throw .invalidInput("tensor '\(name)': \(elements) elements of \(dtype.rawValue) are not a whole number of bytes")
        }
        guard bytes.count == expected else {
            throw .invalidInput("tensor '\(name)' of \(dtype.rawValue) \(shape) needs \(expected) bytes, got \(bytes.count)")
        }
        let chosen = transform ?? (expected == 0 ? .none : PackTransform.preferred(for: dtype))
        guard chosen.planeCount(for: dtype) != nil else {
            throw .invalidInput("transform \(chosen) does not apply to \(dtype.rawValue) (tensor '\(name)')")
        }
        names.insert(name)
        pending.append(Pending(name: name, dtype: dtype, shape: shape, transform: chosen, bytes: bytes))
    }
}
