/// A TOML document that could not be parsed: where, and what was wrong.
///
/// ``description`` is one line in the usual compiler form,
/// `lorad.toml:7:12: expected '=' after key "memory_budget"`, ready to show a user.
public struct TOMLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The name the document was parsed under (usually its path), used as the
    /// prefix of ``description``.
    public var fileName: String
    /// Where the problem was found.
    public var position: TOMLPosition
    /// What was wrong and, where it helps, what to write instead. One line.
    public var message: String

    /// Makes an error at `position` of `fileName`.
    public init(fileName: String, position: TOMLPosition, message: String) {
        self.fileName = fileName
        self.position = position
        self.message = message
    }

    /// `lorad.toml:7:12: expected '=' after key "memory_budget"`.
    public var description: String { "\(fileName):\(position): \(message)" }
}
