/// The names of bases and adapters: 1 to 128 characters of `A-Z a-z 0-9 . _ -`,
/// starting with a letter or digit (`[A-Za-z0-9][A-Za-z0-9._-]{0,127}`), so a
/// name is always safe as a file name, a log field and a command-line word.
public enum ResourceName {
    /// The longest name, in characters (all ASCII, so also in bytes).
    public static let maximumLength = 128

    /// True when `name` follows the rule.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= maximumLength, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// Checks `name`; `kind` is the word used in the message ("base", "adapter").
    /// - Throws: ``ConfigValueError`` quoting the name and stating the rule.
    public static func validate(_ name: String, kind: String) throws(ConfigValueError) {
        guard !isValid(name) else { return }
        throw ConfigValueError(
            "\(kind) name \(name.displayQuoted) is not valid: use 1 to \(maximumLength) characters of A-Z a-z 0-9 . _ -, starting with a letter or digit")
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: false
        }
    }
}
