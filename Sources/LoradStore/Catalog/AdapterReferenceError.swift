/// Why an adapter reference, name or tag was rejected.
public enum AdapterReferenceError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The name is empty, too long or holds a character outside `[A-Za-z0-9._-]`.
    case invalidName(String, reason: String)
    /// The text after '@' is not a version number.
    case invalidVersion(String, reason: String)

    /// One line naming the bad part and the rule.
    public var description: String {
        switch self {
        case .invalidName(let name, let reason):
            "invalid adapter name \(Identifier.quoted(name)): \(reason)"
        case .invalidVersion(let text, let reason):
            "invalid adapter version \(Identifier.quoted(text)): \(reason)"
        }
    }
}
