/// Reads the typed fields of one payload (PROTOCOL.md, "Encoding"), throwing a `WireError`
/// that names the message and field whenever the bytes break the spec.
///
/// Wraps a `ByteReader` over the payload and the frame's descriptors. Descriptor fields are
/// u16 indexes into those descriptors; each must be in range and named at most once, and
/// `finish()` checks that every descriptor was named.
public struct PayloadReader: Sendable {
    /// The payload bytes and the read position.
    public private(set) var bytes: ByteReader
    /// The frame's descriptors, indexed by descriptor fields.
    public let fds: [Int32]
    /// Names the payload in error messages, e.g. `SWITCH request`.
    public var context: String { source.description }
    private let source: PayloadContext
    private var fdNamed: [Bool]

    /// Creates a reader over `payload`, whose descriptor fields index `fds`.
    public init(payload: [UInt8], fds: [Int32] = [], context: String) {
        self.init(payload: payload, fds: fds, naming: .text(context))
    }

    /// Creates a reader over `payload` named by `context` (see ``PayloadContext``).
    public init(payload: [UInt8], fds: [Int32] = [], naming context: PayloadContext) {
        self.bytes = ByteReader(payload)
        self.fds = fds
        self.source = context
        self.fdNamed = Array(repeating: false, count: fds.count)
    }

    /// Decodes one top-level payload of type `T` from `payload` and checks that every
    /// descriptor in `fds` was named exactly once. Trailing bytes are ignored.
    public static func decode<T: WireCodable>(
        _ type: T.Type, payload: [UInt8], fds: [Int32] = [], context: String
    ) throws(WireError) -> T {
        try decode(T.self, payload: payload, fds: fds, naming: .text(context))
    }

    /// ``decode(_:payload:fds:context:)`` with the payload named by a ``PayloadContext``.
    public static func decode<T: WireCodable>(
        _ type: T.Type, payload: [UInt8], fds: [Int32] = [], naming context: PayloadContext
    ) throws(WireError) -> T {
        var reader = PayloadReader(payload: payload, fds: fds, naming: context)
        let value = try T(from: &reader)
        try reader.finish()
        return value
    }

    /// Throws `fd_count_mismatch` when a descriptor of the frame was never named by the
    /// payload. Unread trailing bytes are allowed (fields appended by a newer peer).
    public func finish() throws(WireError) {
        if let unnamed = fdNamed.firstIndex(of: false) {
            throw WireError(
                .fdCountMismatch,
                "\(context): the frame carries \(fds.count) descriptors but the payload never names index \(unnamed)")
        }
    }

    /// Builds the `malformed_frame` error for `field` with `problem`.
    public func malformed(_ field: String, _ problem: String) -> WireError {
        WireError(.malformedFrame, "\(context): field \(field): \(problem)")
    }

    private func truncated(_ field: String, _ needed: Int) -> WireError {
        malformed(field, "payload ends early (needs \(needed) more bytes, \(bytes.readableBytes) left)")
    }

    /// Reads a u8.
    public mutating func u8(_ field: String) throws(WireError) -> UInt8 {
        try integer(field, UInt8.self)
    }

    /// Reads a little-endian u16.
    public mutating func u16(_ field: String) throws(WireError) -> UInt16 {
        try integer(field, UInt16.self)
    }

    /// Reads a little-endian u32.
    public mutating func u32(_ field: String) throws(WireError) -> UInt32 {
        try integer(field, UInt32.self)
    }

    /// Reads a little-endian u64.
    public mutating func u64(_ field: String) throws(WireError) -> UInt64 {
        try integer(field, UInt64.self)
    }

    /// Reads an f64: the 8-byte little-endian IEEE 754 bit pattern, returned unchanged (NaN
    /// and infinities included; the server judges values).
    public mutating func f64(_ field: String) throws(WireError) -> Double {
        Double(bitPattern: try integer(field, UInt64.self))
    }

    /// Reads a bool: one byte, 0 or 1; anything else is malformed.
    public mutating func bool(_ field: String) throws(WireError) -> Bool {
        switch try u8(field) {
        case 0: return false
        case 1: return true
        case let other: throw malformed(field, "bool byte is \(other), must be 0 or 1")
        }
    }

    /// Reads a u8 enum value; a raw value `T` does not know is malformed.
    public mutating func enumeration<T: RawRepresentable>(_ field: String, _ type: T.Type) throws(WireError) -> T
    where T.RawValue == UInt8 {
        let raw = try u8(field)
        guard let value = T(rawValue: raw) else { throw malformed(field, "unknown value \(raw)") }
        return value
    }

    /// Reads a string: u16 byte length (at most `maxBytes`) then that many bytes of valid
    /// UTF-8.
    public mutating func string(_ field: String, maxBytes: Int) throws(WireError) -> String {
        let length = Int(try u16(field))
        guard length <= maxBytes else {
            throw malformed(field, "string of \(length) bytes exceeds the limit of \(maxBytes)")
        }
        guard let raw = bytes.readBytes(length: length) else { throw truncated(field, length) }
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw malformed(field, "string is not valid UTF-8")
        }
        return string
    }

    /// Reads an optional: a u8 tag, 0 (absent) or 1 (present, followed by the value read by
    /// `body`); any other tag is malformed.
    public mutating func optional<T>(
        _ field: String, _ body: (inout PayloadReader) throws(WireError) -> T
    ) throws(WireError) -> T? {
        switch try u8(field) {
        case 0: return nil
        case 1: return try body(&self)
        case let tag: throw malformed(field, "optional tag is \(tag), must be 0 or 1")
        }
    }

    /// Reads a list: a u16 count (at most `maxCount`) then that many items read by `body`.
    public mutating func list<T>(
        _ field: String, maxCount: Int, _ body: (inout PayloadReader) throws(WireError) -> T
    ) throws(WireError) -> [T] {
        let count = Int(try u16(field))
        guard count <= maxCount else {
            throw malformed(field, "list of \(count) items exceeds the limit of \(maxCount)")
        }
        var items: [T] = []
        items.reserveCapacity(min(count, bytes.readableBytes))
        for _ in 0..<count { items.append(try body(&self)) }
        return items
    }

    /// Reads a record: a u16 byte length, then the fields of `T` within exactly that many
    /// bytes; bytes of the record `T` does not read are skipped (a newer peer's fields).
    public mutating func record<T: WireCodable>(_ field: String, _ type: T.Type = T.self) throws(WireError) -> T {
        let length = Int(try u16(field))
        guard let outer = bytes.narrowWindow(toNext: length) else { throw truncated(field, length) }
        let value = try T(from: &self)
        bytes.restoreWindow(endIndex: outer)
        return value
    }

    /// Reads a list of records (`list` of `record`).
    public mutating func records<T: WireCodable>(
        _ field: String, maxCount: Int, _ type: T.Type = T.self
    )
        throws(WireError) -> [T]
    {
        try list(field, maxCount: maxCount) { reader throws(WireError) in try reader.record(field, T.self) }
    }

    /// Reads a descriptor field: a u16 index into the frame's descriptors, returning the
    /// descriptor. Out of range or already named: `fd_count_mismatch`.
    public mutating func fd(_ field: String) throws(WireError) -> Int32 {
        let index = Int(try u16(field))
        guard index < fds.count else {
            throw WireError(
                .fdCountMismatch,
                "\(context): field \(field): descriptor index \(index) but the frame carries \(fds.count)")
        }
        guard !fdNamed[index] else {
            throw WireError(.fdCountMismatch, "\(context): field \(field): descriptor index \(index) is named twice")
        }
        fdNamed[index] = true
        return fds[index]
    }

    private mutating func integer<T: FixedWidthInteger>(_ field: String, _ type: T.Type) throws(WireError) -> T {
        guard let value = bytes.readInteger(as: T.self) else { throw truncated(field, MemoryLayout<T>.size) }
        return value
    }
}
