/// The decoded manifest of a pack: adapter-level metadata and the tensor entries.
public struct PackManifest: Sendable, Hashable {
    /// Adapter-level metadata as string key/values (layout, alpha, rank, scales...; the
    /// store decides the keys).
    public let metadata: [String: String]
    /// The tensors, sorted by the UTF-8 bytes of their names.
    public let tensors: [PackTensorEntry]
    private let index: [String: Int]

    /// Makes a manifest. Returns nil when two tensors have equal names (names compare as
    /// Swift strings, so canonically equivalent spellings count as equal).
    init?(metadata: [String: String], tensors: [PackTensorEntry]) {
        var index: [String: Int] = [:]
        index.reserveCapacity(tensors.count)
        for (position, tensor) in tensors.enumerated() {
            guard index.updateValue(position, forKey: tensor.name) == nil else { return nil }
        }
        self.metadata = metadata
        self.tensors = tensors
        self.index = index
    }

    /// The entry named `name`, or nil.
    public func tensor(named name: String) -> PackTensorEntry? {
        index[name].map { tensors[$0] }
    }

    /// Sum of the tensors' uncompressed sizes, in bytes.
    public var uncompressedByteCount: Int {
        tensors.reduce(0) { $0 + $1.byteCount }
    }

    /// Sum of the tensors' frame sizes, in bytes.
    public var compressedByteCount: Int {
        tensors.reduce(0) { $0 + $1.compressedByteCount }
    }
}
