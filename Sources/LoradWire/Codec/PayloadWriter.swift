/// Writes the typed fields of one payload (PROTOCOL.md, "Encoding"), checking every bound
/// first and throwing `invalid_argument` (naming message and field) when a value is over it.
///
/// Descriptor fields append the descriptor to `fds` and write its index, so index `i` in the
/// payload is `fds[i]`. The writer never touches the descriptors themselves.
public struct PayloadWriter: Sendable {
    /// The bytes written so far (starting with the frame header's room when made by
    /// `forFrame(context:)`).
    public private(set) var bytes: ByteWriter
    /// The descriptors named so far, in index order.
    public private(set) var fds: [Int32] = []
    /// Names the payload in error messages, e.g. `SWITCH request`.
    public var context: String { source.description }
    private let source: PayloadContext
    private let payloadStart: Int

    /// Creates a writer for a bare payload (no header room), e.g. for tests of one record.
    public init(context: String) {
        self.init(context: .text(context), headerRoom: 0)
    }

    /// Creates a writer that leaves 16 zero bytes for the header, filled by `finishFrame`.
    public static func forFrame(context: String) -> PayloadWriter {
        PayloadWriter(context: .text(context), headerRoom: FrameHeader.size)
    }

    /// ``forFrame(context:)`` with the payload named by a ``PayloadContext``.
    public static func forFrame(naming context: PayloadContext) -> PayloadWriter {
        PayloadWriter(context: context, headerRoom: FrameHeader.size)
    }

    private init(context: PayloadContext, headerRoom: Int) {
        self.bytes = ByteWriter()
        self.bytes.writeBytes(repeatElement(0, count: headerRoom))
        self.source = context
        self.payloadStart = headerRoom
    }

    /// The payload bytes written so far (without header room).
    public var payload: [UInt8] { Array(bytes.bytes[payloadStart...]) }

    /// Builds the `invalid_argument` error for `field` with `problem`.
    public func invalid(_ field: String, _ problem: String) -> WireError {
        WireError(.invalidArgument, "cannot encode \(context): field \(field): \(problem)")
    }

    /// Writes a u8.
    public mutating func u8(_ value: UInt8) { bytes.writeInteger(value) }
    /// Writes a little-endian u16.
    public mutating func u16(_ value: UInt16) { bytes.writeInteger(value) }
    /// Writes a little-endian u32.
    public mutating func u32(_ value: UInt32) { bytes.writeInteger(value) }
    /// Writes a little-endian u64.
    public mutating func u64(_ value: UInt64) { bytes.writeInteger(value) }
    /// Writes an f64 as its 8-byte little-endian IEEE 754 bit pattern.
    public mutating func f64(_ value: Double) { bytes.writeFloat64(value) }
    /// Writes a bool as one byte, 0 or 1.
    public mutating func bool(_ value: Bool) { bytes.writeInteger(UInt8(value ? 1 : 0)) }

    /// Writes a u8 enum value.
    public mutating func enumeration<T: RawRepresentable>(_ value: T) where T.RawValue == UInt8 {
        u8(value.rawValue)
    }

    /// Writes a string: u16 byte length then its UTF-8 bytes; more than `maxBytes` bytes is
    /// `invalid_argument`.
    public mutating func string(_ value: String, _ field: String, maxBytes: Int) throws(WireError) {
        let utf8 = value.utf8
        guard utf8.count <= maxBytes, utf8.count <= Int(UInt16.max) else {
            throw invalid(field, "string of \(utf8.count) bytes exceeds the limit of \(maxBytes); shorten it")
        }
        u16(UInt16(utf8.count))
        bytes.writeBytes(utf8)
    }

    /// Writes an optional: tag 0, or tag 1 followed by the value written by `body`.
    public mutating func optional<T>(
        _ value: T?, _ body: (inout PayloadWriter, T) throws(WireError) -> Void
    ) throws(WireError) {
        guard let value else { return u8(0) }
        u8(1)
        try body(&self, value)
    }

    /// Writes a list: u16 count (more than `maxCount` items is `invalid_argument`) then each
    /// item written by `body`.
    public mutating func list<T>(
        _ items: [T], _ field: String, maxCount: Int, _ body: (inout PayloadWriter, T) throws(WireError) -> Void
    ) throws(WireError) {
        guard items.count <= maxCount, items.count <= Int(UInt16.max) else {
            throw invalid(field, "list of \(items.count) items exceeds the limit of \(maxCount)")
        }
        u16(UInt16(items.count))
        for item in items { try body(&self, item) }
    }

    /// Writes a record: a u16 byte length, then the fields of `value`.
    public mutating func record<T: WireCodable>(_ value: T, _ field: String) throws(WireError) {
        let lengthAt = bytes.count
        u16(0)
        try value.encode(to: &self)
        let length = bytes.count - lengthAt - 2
        guard length <= Int(UInt16.max) else {
            throw invalid(field, "record of \(length) bytes exceeds 65535")
        }
        bytes.setInteger(UInt16(length), at: lengthAt)
    }

    /// Writes a list of records (`list` of `record`).
    public mutating func records<T: WireCodable>(_ items: [T], _ field: String, maxCount: Int) throws(WireError) {
        try list(items, field, maxCount: maxCount) { writer, item throws(WireError) in
            try writer.record(item, field)
        }
    }

    /// Writes a descriptor field: appends `fd` to `fds` and writes its u16 index.
    public mutating func fd(_ fd: Int32, _ field: String) throws(WireError) {
        guard fds.count < Int(FrameLimits.maximumFDsPerFrame) else {
            throw invalid(field, "more than \(FrameLimits.maximumFDsPerFrame) descriptors in one frame")
        }
        u16(UInt16(fds.count))
        fds.append(fd)
    }

    /// Completes a frame begun with `forFrame(context:)`: writes the header in front and
    /// checks the frame against `limits` (`frame_too_large` when over them).
    public consuming func finishFrame(
        opcode: Opcode, requestID: UInt32, limits: FrameLimits
    ) throws(WireError)
        -> EncodedFrame
    {
        let payloadLength = bytes.count - payloadStart
        let header = FrameHeader(
            payloadLength: UInt32(clamping: payloadLength), opcode: opcode.rawValue,
            fdCount: UInt16(clamping: fds.count), requestID: requestID)
        guard payloadStart == FrameHeader.size else {
            throw WireError(.internal, "cannot encode \(context): writer was not made with forFrame(context:)")
        }
        do {
            try header.validate(limits: limits)
        } catch {
            throw WireError(.frameTooLarge, "cannot encode \(context): \(error.message)")
        }
        guard payloadLength <= Int(UInt32.max) else {
            throw WireError(.frameTooLarge, "cannot encode \(context): payload over 4 GiB")
        }
        header.write(over: &bytes)
        return EncodedFrame(bytes: bytes.bytes, fds: fds)
    }
}
