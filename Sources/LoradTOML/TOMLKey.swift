import LoradNotation

/// Helpers for TOML keys: which bytes make a bare key and how a dotted key is
/// shown back to a user.
public enum TOMLKey {
    /// True for the bytes a bare key is made of: `A-Za-z0-9_-`.
    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// One key part as it would be written in TOML: bare when it can be, else quoted.
    public static func written(_ part: String) -> String {
        if !part.isEmpty, part.utf8.allSatisfy(isBareKeyByte), part.utf8.count <= String.displayLimit {
            return part
        }
        return part.displayQuoted
    }

    /// A dotted key as it would be written in TOML: `access.allow_groups`, `bases."a b"`.
    public static func written(_ parts: some Sequence<String>) -> String {
        parts.map { written($0) }.joined(separator: ".")
    }
}

extension TOMLKey {
    /// A dotted key for a message, in double quotes unless its parts already
    /// carry quotes: `"memory_budget"`, `bases."a b"`.
    static func quoted(_ parts: some Sequence<String>) -> String {
        let text = written(parts)
        return text.contains("\"") ? text : "\"" + text + "\""
    }
}
