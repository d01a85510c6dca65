/// An append-only byte sink, the writing half of `ByteReader`. Integers are written
/// little-endian. Writing never fails; callers bound what they write before writing it.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Creates an empty writer with room for `capacity` bytes before it reallocates.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(max(0, capacity))
    }

    /// The number of bytes written so far.
    public var count: Int { bytes.count }

    /// Appends `value` as `T.bitWidth / 8` little-endian bytes.
    public mutating func writeInteger<T: FixedWidthInteger>(_ value: T) {
        var remaining = UInt64(truncatingIfNeeded: value)
        for _ in 0..<MemoryLayout<T>.size {
            bytes.append(UInt8(truncatingIfNeeded: remaining))
            remaining >>= 8
        }
    }

    /// Appends the 8-byte little-endian IEEE 754 bit pattern of `value` (NaN payloads kept).
    public mutating func writeFloat64(_ value: Double) {
        writeInteger(value.bitPattern)
    }

    /// Appends `newBytes` unchanged.
    public mutating func writeBytes(_ newBytes: some Sequence<UInt8>) {
        bytes.append(contentsOf: newBytes)
    }

    /// Overwrites the `T.bitWidth / 8` bytes at `index` with `value`, little-endian. Returns
    /// `false` and writes nothing when they do not lie wholly inside what was written.
    @discardableResult
    public mutating func setInteger<T: FixedWidthInteger>(_ value: T, at index: Int) -> Bool {
        let size = MemoryLayout<T>.size
        guard index >= 0, index <= bytes.count, bytes.count - index >= size else { return false }
        // In bounds: checked above.
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: value.littleEndian, toByteOffset: index, as: T.self)
        }
        return true
    }

    /// Overwrites `newBytes.count` bytes at `index` with `newBytes`. Returns `false` and
    /// writes nothing when they do not lie wholly inside what was written.
    @discardableResult
    public mutating func setBytes(_ newBytes: [UInt8], at index: Int) -> Bool {
        guard index >= 0, index <= bytes.count, bytes.count - index >= newBytes.count else { return false }
        bytes.replaceSubrange(index..<index + newBytes.count, with: newBytes)
        return true
    }
}
