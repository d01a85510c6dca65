import LoradWire

/// Edits encoded frames for malformed-input tests: these helpers rewrite header fields in place
/// (the header layout is the one of PROTOCOL.md, offsets 0, 4, 6, 8, 10, 12).
extension Array where Element == UInt8 {
    /// Replaces the payload after the 16-byte header and fixes the length field.
    func withPayload(_ payload: [UInt8]) -> [UInt8] {
        var bytes = Array(prefix(FrameHeader.size)) + payload
        bytes.setLittleEndian(UInt32(payload.count), at: 0)
        return bytes
    }

    /// The payload after the 16-byte header.
    var payload: [UInt8] { Array(dropFirst(FrameHeader.size)) }

    /// Overwrites a little-endian integer at `offset`.
    mutating func setLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        for i in 0..<MemoryLayout<T>.size { self[offset + i] = UInt8(truncatingIfNeeded: value >> (i * 8)) }
    }

    /// A copy with a little-endian integer overwritten at `offset`.
    func settingLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) -> [UInt8] {
        var copy = self
        copy.setLittleEndian(value, at: offset)
        return copy
    }
}
