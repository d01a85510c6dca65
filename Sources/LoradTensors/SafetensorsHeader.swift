/// The validated header of a safetensors file: its tensors in file order and
/// its `__metadata__`.
///
/// ``parse(_:)`` is pure and checks everything the reference implementation
/// (huggingface/safetensors) checks, and a little more, so that any tensor it
/// lists can be viewed in the file without further bounds checks.
public struct SafetensorsHeader: Sendable, Hashable {
    /// The largest JSON header accepted, in bytes (the reference limit).
    public static let maximumHeaderLength = 100_000_000

    /// The tensors, in data-offset order (which is file order).
    public let entries: [TensorEntry]
    /// The `__metadata__` string map, nil when the header has none.
    public let metadata: [String: String]?
    /// The byte offset of the data section in the file: 8 + the JSON length.
    public let dataStart: Int
    /// The index in ``entries`` of each tensor name.
    private let indexByName: [String: Int]

    /// The entry named `name`, if any.
    public func entry(named name: String) -> TensorEntry? {
        indexByName[name].map { entries[$0] }
    }

    /// The tensor names, sorted.
    public var names: [String] { indexByName.keys.sorted() }

    /// The file length this header describes: data start + last end offset.
    public var fileLength: Int { dataStart + (entries.last?.dataOffsets.upperBound ?? 0) }

    /// The length in bytes of the JSON header of a `fileLength`-byte safetensors file whose
    /// first bytes are `prefix` (its first 8, or all of a shorter file): the 8-byte
    /// little-endian length, checked to be at most ``maximumHeaderLength`` and to fit in
    /// the file after those 8 bytes. Reads only `prefix`.
    /// - Throws: ``SafetensorsError/fileTooSmall(fileLength:)``,
    ///   ``SafetensorsError/headerTooLarge(headerLength:limit:)`` or
    ///   ``SafetensorsError/headerBeyondFile(headerLength:fileLength:)``.
    public static func jsonLength(prefix: UnsafeRawBufferPointer, fileLength: Int) throws(SafetensorsError) -> Int {
        guard fileLength >= 8, prefix.count >= 8 else { throw .fileTooSmall(fileLength: fileLength) }
        let length = prefix.loadUnaligned(as: UInt64.self).littleEndian
        guard length <= UInt64(maximumHeaderLength) else {
            throw .headerTooLarge(headerLength: length, limit: maximumHeaderLength)
        }
        guard Int(length) <= fileLength - 8 else { throw .headerBeyondFile(headerLength: length, fileLength: fileLength) }
        return Int(length)
    }

    /// Parses and validates the header of the complete safetensors file `file`.
    ///
    /// Checks: the 8-byte little-endian length is at most ``maximumHeaderLength``
    /// and inside the file; the header is UTF-8, starts with `{` and is strict
    /// JSON (duplicate keys rejected) followed only by whitespace; `__metadata__`
    /// maps strings to strings; every tensor has exactly `dtype`, `shape` and
    /// `data_offsets`, a known dtype, non-negative integer dimensions and offsets;
    /// shape x bit width is a whole number of bytes without overflow and equals
    /// the offsets' span; sorted by offset, the tensors tile the data section
    /// from 0 with no hole or overlap; the data section ends exactly at the end
    /// of `file`.
    /// - Throws: ``SafetensorsError`` naming the first problem found.
    public static func parse(_ file: UnsafeRawBufferPointer) throws(SafetensorsError) -> SafetensorsHeader {
        let length = try jsonLength(prefix: file, fileLength: file.count)
        let json = UnsafeRawBufferPointer(rebasing: file[8..<(8 + length)])
        guard String(validating: json, as: UTF8.self) != nil else { throw .headerNotUTF8 }
        guard json.first == UInt8(ascii: "{") else { throw .headerNotObject }
        let root: JSONValue
        do {
            root = try JSONParser.parse(json)
        } catch {
            throw .invalidJSON(offset: error.offset, reason: error.reason)
        }
        guard case .object(let members) = root else { throw .headerNotObject }

        var metadata: [String: String]?
        var entries: [TensorEntry] = []
        entries.reserveCapacity(members.count)
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try parseMetadata(value)
            } else {
                entries.append(try parseEntry(name: key, value))
            }
        }
        entries.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound) }
        var expectedStart = 0
        for entry in entries {
            guard entry.dataOffsets.lowerBound == expectedStart else {
                throw .invalidOffsets(
                    tensor: entry.name, start: entry.dataOffsets.lowerBound, end: entry.dataOffsets.upperBound,
                    expectedStart: expectedStart)
            }
            guard let elements = Tensor.elementCount(of: entry.shape) else {
                throw .shapeOverflow(tensor: entry.name, shape: entry.shape)
            }
            let (bits, overflow) = elements.multipliedReportingOverflow(by: entry.dtype.bitWidth)
            guard !overflow else { throw .shapeOverflow(tensor: entry.name, shape: entry.shape) }
            guard bits % 8 == 0 else { throw .fractionalByteSize(tensor: entry.name, elements: elements, dtype: entry.dtype) }
            guard entry.dataOffsets.count == bits / 8 else {
                throw .sizeMismatch(
                    tensor: entry.name, shape: entry.shape, dtype: entry.dtype, expected: bits / 8,
                    actual: entry.dataOffsets.count)
            }
            expectedStart = entry.dataOffsets.upperBound
        }
        let dataStart = 8 + Int(length)
        guard file.count - dataStart == expectedStart else {
            throw .dataLengthMismatch(expected: expectedStart, actual: file.count - dataStart)
        }
        return SafetensorsHeader(entries: entries, metadata: metadata, dataStart: dataStart)
    }

    /// Builds a header from entries already validated and in file order.
    init(entries: [TensorEntry], metadata: [String: String]?, dataStart: Int) {
        self.entries = entries
        self.metadata = metadata
        self.dataStart = dataStart
        var index: [String: Int] = [:]
        index.reserveCapacity(entries.count)
        for (position, entry) in entries.enumerated() { index[entry.name] = position }
        indexByName = index
    }

    private static func parseMetadata(_ value: JSONValue) throws(SafetensorsError) -> [String: String]? {
        switch value {
        case .null:
            return nil
        case .object(let members):
            var result: [String: String] = [:]
            for (key, item) in members {
                guard case .string(let text) = item else {
                    throw .invalidMetadata(reason: "key '\(key)' has \(item.kind), not a string")
                }
                result[key] = text
            }
            return result
        default:
            throw .invalidMetadata(reason: "it is \(value.kind), not an object")
        }
    }

    private static func parseEntry(name: String, _ value: JSONValue) throws(SafetensorsError) -> TensorEntry {
        guard case .object(let members) = value else {
            throw .invalidTensorInfo(tensor: name, reason: "expected an object, found \(value.kind)")
        }
        var dtypeValue: JSONValue?
        var shapeValue: JSONValue?
        var offsetsValue: JSONValue?
        for (key, item) in members {
            switch key {
            case "dtype": dtypeValue = item
            case "shape": shapeValue = item
            case "data_offsets": offsetsValue = item
            default: throw .invalidTensorInfo(tensor: name, reason: "unexpected field '\(key)'")
            }
        }
        guard let dtypeValue else { throw .invalidTensorInfo(tensor: name, reason: "missing field 'dtype'") }
        guard let shapeValue else { throw .invalidTensorInfo(tensor: name, reason: "missing field 'shape'") }
        guard let offsetsValue else { throw .invalidTensorInfo(tensor: name, reason: "missing field 'data_offsets'") }
        guard case .string(let dtypeName) = dtypeValue else {
            throw .invalidTensorInfo(tensor: name, reason: "dtype is \(dtypeValue.kind), not a string")
        }
        guard let dtype = DType(rawValue: dtypeName) else { throw .unknownDType(tensor: name, dtype: dtypeName) }
        let shape = try integers(shapeValue, field: "shape", tensor: name)
        let offsets = try integers(offsetsValue, field: "data_offsets", tensor: name)
        guard offsets.count == 2 else {
            throw .invalidTensorInfo(tensor: name, reason: "data_offsets has \(offsets.count) numbers, not 2")
        }
        guard offsets[0] <= offsets[1] else {
            throw .invalidOffsets(tensor: name, start: offsets[0], end: offsets[1], expectedStart: offsets[0])
        }
        return TensorEntry(name: name, dtype: dtype, shape: shape, dataOffsets: offsets[0]..<offsets[1])
    }

    private static func integers(_ value: JSONValue, field: String, tensor: String) throws(SafetensorsError) -> [Int] {
        guard case .array(let items) = value else {
            throw .invalidTensorInfo(tensor: tensor, reason: "\(field) is \(value.kind), not an array")
        }
        var result: [Int] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let number = item.nonNegativeInt else {
                throw .invalidTensorInfo(
                    tensor: tensor, reason: "\(field) holds \(item.kind), not a non-negative integer below 2^63")
            }
            result.append(number)
        }
        return result
    }
}
