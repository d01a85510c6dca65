import LoradNotation
import LoradWire

/// The names of bases and adapters: 1 to 128 characters of `A-Z a-z 0-9 . _ -`,
/// starting with a letter or digit (`[A-Za-z0-9][A-Za-z0-9._-]{0,127}`), so a
/// name is always safe as a file name, a log field and a command-line word.
public enum ResourceName {
    /// The longest name, in characters (all ASCII, so also in bytes).
    public static let maximumLength = WireLimits.maxNameBytes

    /// True when `name` follows the rule: the protocol's own grammar (`WireName`), so a
    /// name the config accepts is one clients can send.
    public static func isValid(_ name: String) -> Bool {
        WireName.isValid(name)
    }

    /// Checks `name`; `kind` is the word used in the message ("base", "adapter").
    /// - Throws: ``ConfigValueError`` quoting the name and stating the rule.
    public static func validate(_ name: String, kind: String) throws(ConfigValueError) {
        guard !isValid(name) else { return }
        throw ConfigValueError(
            "\(kind) name \(name.displayQuoted) is not valid: use 1 to \(maximumLength) characters of A-Z a-z 0-9 . _ -, starting with a letter or digit")
    }
}
