/// Reads little-endian fields from a bounded region of a byte array; every read checks
/// the remaining length first and throws `PackError.malformedManifest` naming the field
/// when it would run past the end.
struct ByteCursor {
    private let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    /// A cursor over `bytes[range]`; the caller guarantees the range lies in `bytes`.
    init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var remaining: Int { end - position }

    mutating func read<Integer: FixedWidthInteger & UnsignedInteger>(_: Integer.Type, _ field: String) throws(PackError) -> Integer {
        let size = Integer.bitWidth / 8
        guard remaining >= size else {
            throw .malformedManifest("manifest ends inside \(field)")
        }
        var value: Integer = 0
        for offset in (0..<size).reversed() {
            value = (value << 8) | Integer(bytes[position + offset])
        }
        position += size
        return value
    }

    /// Reads a u64 that must fit in Int (and so in memory sizes and offsets).
    mutating func readSize(_ field: String) throws(PackError) -> Int {
        let value = try read(UInt64.self, field)
        guard value <= UInt64(Int.max) else {
            throw .malformedManifest("\(field) \(value) is out of range")
        }
        return Int(value)
    }

    mutating func readBytes(_ count: Int, _ field: String) throws(PackError) -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else {
            throw .malformedManifest("manifest ends inside \(field)")
        }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    /// Reads `count` bytes that must be valid UTF-8.
    mutating func readString(_ count: Int, _ field: String) throws(PackError) -> (String, ArraySlice<UInt8>) {
        let raw = try readBytes(count, field)
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw .malformedManifest("\(field) is not valid UTF-8")
        }
        return (string, raw)
    }

    /// Reads a u16 length (1...maxBytes) and that many bytes of UTF-8 that must sort
    /// strictly after `previous` by bytes (metadata keys, tensor names); updates `previous`.
    mutating func readSortedKey(_ what: String, maxBytes: Int, after previous: inout ArraySlice<UInt8>?) throws(PackError) -> String {
        let length = Int(try read(UInt16.self, "a \(what) length"))
        guard (1...maxBytes).contains(length) else {
            throw .malformedManifest("\(what) length \(length) is out of range 1...\(maxBytes)")
        }
        let (key, bytes) = try readString(length, "a \(what)")
        if let previous, !previous.lexicographicallyPrecedes(bytes) {
            throw .malformedManifest("\(what) '\(key)' is out of order or repeated")
        }
        previous = bytes
        return key
    }
}
