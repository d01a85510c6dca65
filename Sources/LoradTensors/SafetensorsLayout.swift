/// The planned byte layout of a safetensors file, before any data is written:
/// the header bytes, where each tensor goes and the total size.
///
/// Tensors are ordered as the reference writer (huggingface/safetensors) orders
/// them: by dtype, widest first (the order of ``DType``'s cases, reversed), then
/// by name (UTF-8 bytes). Every tensor then starts at a multiple of its element
/// size; the JSON is padded with spaces so the data starts at a multiple of 8.
/// The JSON is compact: `__metadata__` first (keys sorted), then the tensors in
/// file order, each as `{"dtype":..,"shape":[..],"data_offsets":[s,e]}`. Same
/// input, same bytes, identical to what the reference writes for it.
public struct SafetensorsLayout: Sendable {
    /// A tensor to place: name, dtype and shape.
    public struct Entry: Sendable, Hashable {
        /// The tensor's name (any string but `__metadata__`).
        public var name: String
        /// The element type.
        public var dtype: DType
        /// The dimensions, outermost first.
        public var shape: [Int]

        /// Makes an entry.
        public init(name: String, dtype: DType, shape: [Int]) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
        }
    }

    /// The tensors in file order.
    public let entries: [Entry]
    /// The `__metadata__` map written, nil for none.
    public let metadata: [String: String]?
    /// The file's first bytes: the 8-byte little-endian JSON length, then the
    /// space-padded JSON header. Its count is the data start (a multiple of 8).
    public let headerBytes: [UInt8]
    /// The file size in bytes.
    public let totalSize: Int
    private let rangeByName: [String: Range<Int>]

    /// The byte offset where tensor data starts.
    public var dataStart: Int { headerBytes.count }

    /// The absolute file offsets of tensor `name`'s bytes, nil when not planned.
    public func range(of name: String) -> Range<Int>? { rangeByName[name] }

    /// Plans a file holding `entries` (in any order) and `metadata`.
    /// - Throws: ``SafetensorsError`` for a duplicate or reserved name, an
    ///   invalid shape, a sub-byte tensor that is not whole bytes, or a file
    ///   larger than `Int.max`.
    public init(entries: [Entry], metadata: [String: String]? = nil) throws(SafetensorsError) {
        var sizes: [String: Int] = [:]
        for entry in entries {
            guard entry.name != "__metadata__" else { throw .reservedName(entry.name) }
            guard sizes[entry.name] == nil else { throw .duplicateTensor(entry.name) }
            do {
                sizes[entry.name] = try Tensor.byteCount(dtype: entry.dtype, shape: entry.shape)
            } catch {
                if case .fractionalByteSize = error {
                    throw .fractionalByteSize(
                        tensor: entry.name, elements: Tensor.elementCount(of: entry.shape) ?? 0, dtype: entry.dtype)
                }
                throw .invalidShape(tensor: entry.name, shape: entry.shape)
            }
        }
        let ordered = entries.sorted { left, right in
            let (l, r) = (SafetensorsLayout.rank[left.dtype] ?? 0, SafetensorsLayout.rank[right.dtype] ?? 0)
            if l != r { return l > r }
            return left.name.utf8.lexicographicallyPrecedes(right.name.utf8)
        }
        var json: [UInt8] = []
        json.append(UInt8(ascii: "{"))
        var first = true
        if let metadata {
            JSONValue.appendQuoted("__metadata__", to: &json)
            json.append(contentsOf: Array(":{".utf8))
            for (index, key) in metadata.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if index > 0 { json.append(UInt8(ascii: ",")) }
                JSONValue.appendQuoted(key, to: &json)
                json.append(UInt8(ascii: ":"))
                JSONValue.appendQuoted(metadata[key] ?? "", to: &json)
            }
            json.append(UInt8(ascii: "}"))
            first = false
        }
        var offset = 0
        var relative: [(String, Range<Int>)] = []
        for entry in ordered {
            let size = sizes[entry.name] ?? 0
            let (end, overflow) = offset.addingReportingOverflow(size)
            guard !overflow else { throw .layoutTooLarge }
            if !first { json.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.appendQuoted(entry.name, to: &json)
            json.append(contentsOf: Array(":{\"dtype\":".utf8))
            JSONValue.appendQuoted(entry.dtype.rawValue, to: &json)
            json.append(contentsOf: Array(",\"shape\":[".utf8))
            json.append(contentsOf: Array(entry.shape.map(String.init).joined(separator: ",").utf8))
            json.append(contentsOf: Array("],\"data_offsets\":[\(offset),\(end)]}".utf8))
            relative.append((entry.name, offset..<end))
            offset = end
        }
        json.append(UInt8(ascii: "}"))
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
        var header = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) }
        header.append(contentsOf: json)
        let (total, overflow) = header.count.addingReportingOverflow(offset)
        guard !overflow else { throw .layoutTooLarge }
        var ranges: [String: Range<Int>] = [:]
        for (name, range) in relative { ranges[name] = (range.lowerBound + header.count)..<(range.upperBound + header.count) }
        self.entries = ordered
        self.metadata = metadata
        headerBytes = header
        totalSize = total
        rangeByName = ranges
    }

    /// Writes the header into `buffer` (which must be ``totalSize`` bytes) and
    /// calls `fill` once per tensor, in file order, with that tensor's bytes.
    /// - Throws: ``SafetensorsError/bufferSizeMismatch(expected:actual:)``, or
    ///   whatever `fill` throws.
    public func write(
        into buffer: UnsafeMutableRawBufferPointer, fill: (Entry, UnsafeMutableRawBufferPointer) throws -> Void
    ) throws {
        guard buffer.count == totalSize else {
            throw SafetensorsError.bufferSizeMismatch(expected: totalSize, actual: buffer.count)
        }
        headerBytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        for entry in entries {
            guard let range = rangeByName[entry.name] else { continue }
            try fill(entry, UnsafeMutableRawBufferPointer(rebasing: buffer[range]))
        }
    }

    /// The reference writer's dtype order: the order of ``DType``'s cases.
    private static let rank: [DType: Int] = Dictionary(
        uniqueKeysWithValues: DType.allCases.enumerated().map { ($0.element, $0.offset) })
}
