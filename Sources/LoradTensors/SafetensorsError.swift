import LoradSystem

/// Why a safetensors file, folder, index or layout was rejected. Every case
/// names the tensor, file and numbers involved; ``description`` is one line.
public enum SafetensorsError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    // MARK: The 8-byte prefix and the JSON header.

    /// The file is shorter than the 8-byte header length.
    case fileTooSmall(fileLength: Int)
    /// The header length exceeds ``SafetensorsHeader/maximumHeaderLength``.
    case headerTooLarge(headerLength: UInt64, limit: Int)
    /// The header length runs past the end of the file.
    case headerBeyondFile(headerLength: UInt64, fileLength: Int)
    /// The header is not valid UTF-8.
    case headerNotUTF8
    /// The header does not start with `{` (or is not a JSON object).
    case headerNotObject
    /// The header is not well-formed JSON: byte offset within the header and reason.
    case invalidJSON(offset: Int, reason: String)
    /// `__metadata__` is not an object of string values.
    case invalidMetadata(reason: String)
    /// A tensor's entry is not `{"dtype": String, "shape": [Int], "data_offsets": [Int, Int]}`.
    case invalidTensorInfo(tensor: String, reason: String)
    /// A tensor's dtype is not one safetensors defines.
    case unknownDType(tensor: String, dtype: String)
    /// A tensor's element count or bit count overflows 64 bits.
    case shapeOverflow(tensor: String, shape: [Int])
    /// A tensor of a sub-byte dtype does not fill a whole number of bytes.
    case fractionalByteSize(tensor: String, elements: Int, dtype: DType)
    /// A tensor's offsets span a different number of bytes than its shape and dtype need.
    case sizeMismatch(tensor: String, shape: [Int], dtype: DType, expected: Int, actual: Int)
    /// A tensor's offsets do not start where the previous tensor ended (a hole or
    /// an overlap), or end before they start.
    case invalidOffsets(tensor: String, start: Int, end: Int, expectedStart: Int)
    /// The data section's length differs from the last tensor's end offset (the
    /// file is truncated or has trailing bytes).
    case dataLengthMismatch(expected: Int, actual: Int)

    // MARK: Writing.

    /// Two tensors with the same name.
    case duplicateTensor(String)
    /// A tensor is named `__metadata__`, which the format reserves.
    case reservedName(String)
    /// A tensor's shape is invalid for writing (negative or overflowing).
    case invalidShape(tensor: String, shape: [Int])
    /// The file would be larger than 2^63 bytes.
    case layoutTooLarge
    /// The buffer given to fill a layout has the wrong size.
    case bufferSizeMismatch(expected: Int, actual: Int)

    // MARK: Files, folders and shard indexes.

    /// An error found in a particular file.
    indirect case inFile(path: String, SafetensorsError)
    /// A system call failed (open, mmap...).
    case io(SystemError)
    /// A folder holds neither a `*.safetensors.index.json` nor a `*.safetensors` file.
    case noSafetensorsFiles(folder: String)
    /// A folder holds several candidate files and no index to choose.
    case ambiguousFolder(folder: String, candidates: [String])
    /// A shard index is malformed.
    case invalidIndex(path: String, reason: String)
    /// A shard named by the index is missing.
    case missingShard(index: String, shard: String)
    /// The index puts a tensor in a shard that does not contain it.
    case tensorNotInShard(tensor: String, shard: String)
    /// A shard contains a tensor the index does not list for it.
    case unlistedTensor(tensor: String, shard: String)
    /// Two shards contain the same tensor.
    case tensorInTwoShards(tensor: String, first: String, second: String)

    /// One line saying what was wrong and, where useful, what to do.
    public var description: String {
        switch self {
        case .fileTooSmall(let length):
            "not a safetensors file: \(length) bytes is shorter than the 8-byte header length"
        case .headerTooLarge(let length, let limit):
            "safetensors header length \(length) exceeds the limit of \(limit) bytes; the file is corrupt or not safetensors"
        case .headerBeyondFile(let length, let fileLength):
            "safetensors header length \(length) runs past the end of the \(fileLength)-byte file; the file is truncated or not safetensors"
        case .headerNotUTF8:
            "safetensors header is not valid UTF-8"
        case .headerNotObject:
            "safetensors header must be a JSON object starting with '{'"
        case .invalidJSON(let offset, let reason):
            "safetensors header is not valid JSON at byte \(offset) of the header: \(reason)"
        case .invalidMetadata(let reason):
            "safetensors __metadata__ must map strings to strings: \(reason)"
        case .invalidTensorInfo(let tensor, let reason):
            "safetensors tensor '\(tensor)': \(reason)"
        case .unknownDType(let tensor, let dtype):
            "safetensors tensor '\(tensor)' has unknown dtype '\(dtype)'"
        case .shapeOverflow(let tensor, let shape):
            "safetensors tensor '\(tensor)' has shape \(shape) whose size overflows 64 bits"
        case .fractionalByteSize(let tensor, let elements, let dtype):
            "safetensors tensor '\(tensor)': \(elements) elements of \(dtype.rawValue) is not a whole number of bytes"
        case .sizeMismatch(let tensor, let shape, let dtype, let expected, let actual):
            "safetensors tensor '\(tensor)' of shape \(shape) and dtype \(dtype.rawValue) needs \(expected) bytes but its data_offsets span \(actual)"
        case .invalidOffsets(let tensor, let start, let end, let expectedStart):
            "safetensors tensor '\(tensor)' has data_offsets [\(start), \(end)] but the data must be contiguous: expected it to start at \(expectedStart) and end at or after its start"
        case .dataLengthMismatch(let expected, let actual):
            "safetensors data section is \(actual) bytes but the tensors end at \(expected); the file is truncated or has trailing bytes"
        case .duplicateTensor(let name):
            "tensor name '\(name)' appears twice"
        case .reservedName(let name):
            "tensor name '\(name)' is reserved by the safetensors format"
        case .invalidShape(let tensor, let shape):
            "tensor '\(tensor)' has invalid shape \(shape): dimensions must be >= 0 and the size must fit in 64 bits"
        case .layoutTooLarge:
            "safetensors file would exceed 2^63 bytes"
        case .bufferSizeMismatch(let expected, let actual):
            "buffer of \(actual) bytes given for a safetensors layout of \(expected) bytes"
        case .inFile(let path, let error):
            "\(path): \(error)"
        case .io(let error):
            error.description
        case .noSafetensorsFiles(let folder):
            "\(folder) holds no *.safetensors file and no *.safetensors.index.json"
        case .ambiguousFolder(let folder, let candidates):
            "\(folder) holds several candidates (\(candidates.joined(separator: ", "))); name one file, or keep one index or one file in the folder"
        case .invalidIndex(let path, let reason):
            "\(path): invalid shard index: \(reason)"
        case .missingShard(let index, let shard):
            "\(index) names shard '\(shard)', which is missing"
        case .tensorNotInShard(let tensor, let shard):
            "the shard index puts tensor '\(tensor)' in '\(shard)', which does not contain it"
        case .unlistedTensor(let tensor, let shard):
            "shard '\(shard)' contains tensor '\(tensor)', which the shard index does not list for it"
        case .tensorInTwoShards(let tensor, let first, let second):
            "tensor '\(tensor)' is in two shards: '\(first)' and '\(second)'"
        }
    }
}
