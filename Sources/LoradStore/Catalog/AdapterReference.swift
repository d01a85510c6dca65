/// A reference to an adapter in the store: `name` (the latest version) or
/// `name@N` (version N).
///
/// Names match `[A-Za-z0-9][A-Za-z0-9._-]{0,127}` (ASCII, case-sensitive, at most
/// 128 characters); versions are positive integers without sign or leading zeros,
/// at most `maxVersion`.
public struct AdapterReference: Sendable, Hashable, CustomStringConvertible {
    /// The adapter's name.
    public let name: String
    /// The version asked for, or nil for "the latest".
    public let version: Int?

    /// The largest version number the store hands out.
    public static let maxVersion = Int(Int32.max)
    /// The longest name, in characters.
    public static let maxNameLength = 128

    /// Creates a reference after validating `name` and `version`.
    ///
    /// - Throws: `AdapterReferenceError` naming the bad part.
    public init(name: String, version: Int? = nil) throws(AdapterReferenceError) {
        try Self.validateName(name)
        if let version, !(1...Self.maxVersion).contains(version) {
            throw .invalidVersion(String(version), reason: "a version is a whole number from 1 to \(Self.maxVersion)")
        }
        self.name = name
        self.version = version
    }

    /// A reference from parts the catalog already validated when it stored them.
    init(validatedName name: String, version: Int?) {
        self.name = name
        self.version = version
    }

    /// Parses `name` or `name@N`.
    ///
    /// - Throws: `AdapterReferenceError` for an empty text, a bad name or a bad
    ///   version (zero, negative, not a number, leading zeros, too large).
    public static func parse(_ text: String) throws(AdapterReferenceError) -> AdapterReference {
        guard let at = text.firstIndex(of: "@") else {
            return try AdapterReference(name: text)
        }
        let name = String(text[..<at])
        let versionText = String(text[text.index(after: at)...])
        try validateName(name)
        return try AdapterReference(name: name, version: parseVersion(versionText))
    }

    /// Checks that `name` is a valid adapter name.
    ///
    /// - Throws: `AdapterReferenceError.invalidName` saying which character or
    ///   length is wrong.
    public static func validateName(_ name: String) throws(AdapterReferenceError) {
        if let reason = Identifier.problem(with: name, maxLength: maxNameLength) {
            throw .invalidName(name, reason: reason)
        }
    }

    /// Parses a version: decimal digits only, no leading zero, 1...maxVersion.
    private static func parseVersion(_ text: String) throws(AdapterReferenceError) -> Int {
        guard !text.isEmpty else {
            throw .invalidVersion(text, reason: "nothing follows '@'; write name@N with N >= 1, or just name for the latest")
        }
        guard text.utf8.count <= 10, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw .invalidVersion(text, reason: "a version is a whole number from 1 to \(maxVersion)")
        }
        guard text.utf8.first != UInt8(ascii: "0") else {
            throw .invalidVersion(text, reason: "a version is a whole number from 1 to \(maxVersion), without leading zeros")
        }
        guard let value = Int(text), value <= maxVersion else {
            throw .invalidVersion(text, reason: "a version is a whole number from 1 to \(maxVersion)")
        }
        return value
    }

    /// `name` or `name@N`.
    public var description: String {
        if let version { "\(name)@\(version)" } else { name }
    }
}
