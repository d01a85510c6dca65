/// Octal permission modes as written in configs and flags: `0660`, `660`, `0o660`.
public enum FileModeSyntax {
    /// The permission bits `text` spells in octal.
    /// - Throws: ``ConfigValueError`` for anything but 1 to 4 octal digits (after
    ///   an optional `0o`) or a mode above `0777` (setuid, setgid and sticky bits
    ///   mean nothing on a socket).
    public static func parse(_ text: String) throws(ConfigValueError) -> UInt32 {
        var digits = Substring(text.trimmingSpaces)
        if digits.hasPrefix("0o") || digits.hasPrefix("0O") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy({ ("0"..."7").contains($0) }),
            let value = UInt32(digits, radix: 8)
        else {
            throw ConfigValueError("\(text.displayQuoted) is not an octal mode; write it like \"0660\"")
        }
        return try check(value, written: text)
    }

    /// Checks a mode given as a number.
    /// - Throws: ``ConfigValueError`` for a mode above `0777`.
    public static func check(_ value: UInt32, written: String) throws(ConfigValueError) -> UInt32 {
        guard value <= 0o777 else {
            throw ConfigValueError("mode \(written) has bits above 0777; only read/write/execute bits apply to a socket (for example 0660)")
        }
        return value
    }

    /// `0660`.
    public static func format(_ mode: UInt32) -> String {
        let octal = String(mode, radix: 8)
        return String(repeating: "0", count: max(1, 4 - octal.count)) + octal
    }
}
