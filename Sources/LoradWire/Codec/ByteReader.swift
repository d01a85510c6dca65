/// A read cursor over a byte array, modelled on swift-nio's `ByteBuffer` read verbs.
///
/// Every `read*` method either consumes exactly the bytes it needs and returns the value, or
/// returns `nil` and moves nothing when fewer bytes remain than it needs. Integers are read
/// little-endian. The reader never traps on short input; it only reads within
/// `readerIndex..<endIndex`.
public struct ByteReader: Sendable {
    /// The bytes being read. Shared (copy-on-write), never mutated by the reader.
    public let bytes: [UInt8]
    /// The offset, in bytes from the start of `bytes`, of the next byte to read.
    public private(set) var readerIndex: Int
    /// The offset one past the last byte this reader may read (at most `bytes.count`).
    public private(set) var endIndex: Int

    /// Creates a reader over all of `bytes`, starting at offset 0.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.readerIndex = 0
        self.endIndex = bytes.count
    }

    /// The number of bytes left to read (`endIndex - readerIndex`).
    public var readableBytes: Int { endIndex - readerIndex }

    /// Reads a little-endian integer of type `T`, or returns `nil` (moving nothing) when fewer
    /// than `T.bitWidth / 8` bytes remain.
    public mutating func readInteger<T: FixedWidthInteger>(as type: T.Type = T.self) -> T? {
        guard let value = getInteger(at: readerIndex, as: T.self) else { return nil }
        readerIndex += MemoryLayout<T>.size
        return value
    }

    /// Returns the little-endian integer of type `T` at absolute offset `index` without moving
    /// the reader, or `nil` when it does not lie wholly inside `readerIndex..<endIndex`.
    public func getInteger<T: FixedWidthInteger>(at index: Int, as type: T.Type = T.self) -> T? {
        let size = MemoryLayout<T>.size
        guard index >= readerIndex, index <= endIndex, endIndex - index >= size else { return nil }
        // In bounds: checked above against endIndex <= bytes.count.
        return bytes.withUnsafeBytes { raw in
            T(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: T.self))
        }
    }

    /// Reads an IEEE 754 binary64 value stored as its 8-byte little-endian bit pattern, or
    /// returns `nil` (moving nothing) when fewer than 8 bytes remain. Every bit pattern,
    /// NaN payloads included, is returned unchanged.
    public mutating func readFloat64() -> Double? {
        readInteger(as: UInt64.self).map(Double.init(bitPattern:))
    }

    /// Reads `length` bytes as a new array, or returns `nil` (moving nothing) when `length` is
    /// negative or more than `readableBytes`.
    public mutating func readBytes(length: Int) -> [UInt8]? {
        guard length >= 0, length <= readableBytes else { return nil }
        let result = Array(bytes[readerIndex..<readerIndex + length])
        readerIndex += length
        return result
    }

    /// Skips `count` bytes. Returns `false` and moves nothing when `count` is negative or more
    /// than `readableBytes`.
    @discardableResult
    public mutating func moveReaderIndex(forwardBy count: Int) -> Bool {
        guard count >= 0, count <= readableBytes else { return false }
        readerIndex += count
        return true
    }

    /// Narrows the readable window to the next `length` bytes and returns the previous
    /// `endIndex`, to be handed back to `restoreWindow(endIndex:skipToEnd:)`. Returns `nil` and
    /// changes nothing when fewer than `length` bytes remain. Used for length-prefixed records.
    public mutating func narrowWindow(toNext length: Int) -> Int? {
        guard length >= 0, length <= readableBytes else { return nil }
        let previous = endIndex
        endIndex = readerIndex + length
        return previous
    }

    /// Ends a window opened by `narrowWindow(toNext:)`: skips whatever the window still holds
    /// (bytes a newer writer appended that this reader does not know) and restores `endIndex`.
    /// `previousEnd` must be the value `narrowWindow` returned; a smaller one is ignored.
    public mutating func restoreWindow(endIndex previousEnd: Int) {
        guard previousEnd >= endIndex, previousEnd <= bytes.count else { return }
        readerIndex = endIndex
        endIndex = previousEnd
    }
}
