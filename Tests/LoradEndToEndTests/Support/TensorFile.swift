import LoradSystem
import LoradTensors

/// One tensor's dtype, shape and raw little-endian bytes, for bit-exact comparisons.
struct TensorBytes: Equatable, Sendable {
    var dtype: DType
    var shape: [Int]
    var bytes: [UInt8]
}

/// The tensors and `__metadata__` of one safetensors file (a file on disk or a mapped
/// segment), copied out so they outlive the mapping.
struct TensorFile: Equatable, Sendable {
    /// Tensor name to its dtype, shape and bytes.
    var tensors: [String: TensorBytes]
    /// The `__metadata__` map (empty when the file has none).
    var metadata: [String: String]

    /// Parses a whole safetensors file held in `bytes`.
    init(bytes: UnsafeRawBufferPointer) throws {
        let header = try SafetensorsHeader.parse(bytes)
        var tensors: [String: TensorBytes] = [:]
        for entry in header.entries {
            let range = (header.dataStart + entry.dataOffsets.lowerBound)..<(header.dataStart + entry.dataOffsets.upperBound)
            guard range.upperBound <= bytes.count else {
                throw EndToEndFailure("tensor \(entry.name) ends at byte \(range.upperBound) of a \(bytes.count)-byte file")
            }
            tensors[entry.name] = TensorBytes(
                dtype: entry.dtype, shape: entry.shape, bytes: Array(UnsafeRawBufferPointer(rebasing: bytes[range])))
        }
        self.tensors = tensors
        metadata = header.metadata ?? [:]
    }

    /// Reads the safetensors file at `path`.
    init(path: String) throws {
        let region = try MappedRegion(path: path)
        self = try region.withUnsafeBytes { bytes in try TensorFile(bytes: bytes) }
    }

    /// Parses a mapped region holding a safetensors file (a segment).
    init(region: MappedRegion) throws {
        self = try region.withUnsafeBytes { bytes in try TensorFile(bytes: bytes) }
    }

    /// The tensor names, sorted.
    var names: [String] { tensors.keys.sorted() }
}
