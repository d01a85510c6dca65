/// Journal field names for log metadata.
///
/// journald accepts field names of 1 to 64 characters from `A-Z`, `0-9` and `_`
/// that do not start with a digit; a leading `_` marks a trusted field that
/// clients may not send. Every metadata key becomes `LORAD_` plus the key in
/// upper case, with each character outside `A-Z0-9` replaced by `_`, so the
/// result is always valid: `"session"` -> `LORAD_SESSION`, `"peer-uid"` ->
/// `LORAD_PEER_UID`, `"größe"` -> `LORAD_GR_SSE`.
public enum JournalFieldName {
    /// The prefix every metadata field carries.
    public static let prefix = "LORAD_"
    /// The longest field name journald accepts, in bytes.
    public static let maximumLength = 64
    /// The name used for a key that is empty.
    public static let emptyKeyName = "LORAD_METADATA"

    /// The journal field name for the metadata key `key`: `LORAD_` plus the
    /// sanitised key, truncated to ``maximumLength`` bytes. Never fails.
    public static func forMetadataKey(_ key: String) -> String {
        if key.isEmpty { return emptyKeyName }
        var name = prefix
        for scalar in key.unicodeScalars {
            if name.utf8.count >= maximumLength { break }
            name.unicodeScalars.append(sanitized(scalar))
        }
        return name
    }

    /// True when `name` is a field name journald accepts from a client.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= maximumLength else { return false }
        if first == UInt8(ascii: "_") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) { return false }
        return bytes.allSatisfy { isAllowed($0) }
    }

    private static func sanitized(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        guard scalar.isASCII else { return "_" }
        let byte = UInt8(scalar.value)
        if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) {
            return Unicode.Scalar(byte - UInt8(ascii: "a") + UInt8(ascii: "A"))
        }
        return isAllowed(byte) ? scalar : "_"
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "_")
    }
}
