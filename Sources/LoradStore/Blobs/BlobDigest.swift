import Crypto

/// The SHA-256 of a blob's bytes: its name in the blob store and in the catalog.
///
/// Spelled as 64 lowercase hexadecimal digits. Comparable by that spelling.
public struct BlobDigest: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 64 lowercase hex digits.
    public let hex: String

    /// Wraps `hex` when it is exactly 64 lowercase hex digits; nil otherwise.
    public init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy(Self.isLowerHexDigit) else { return nil }
        self.hex = hex
    }

    /// The SHA-256 of `bytes`.
    public init(of bytes: UnsafeRawBufferPointer) {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        self.hex = Self.hexString(hasher.finalize())
    }

    /// The SHA-256 of `bytes`.
    public init(of bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { BlobDigest(of: $0) }
    }

    /// The SHA-256 digest bytes (any `Sequence` of 32 bytes) as lowercase hex.
    static func hexString(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func isLowerHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    }

    /// Orders by the hex spelling.
    public static func < (lhs: BlobDigest, rhs: BlobDigest) -> Bool { lhs.hex < rhs.hex }

    /// `sha256:` followed by the hex digits.
    public var description: String { "sha256:\(hex)" }
}
