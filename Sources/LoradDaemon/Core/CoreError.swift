import LoradWire

/// A request failure as the core reports it: a stable protocol code and a one-line message
/// saying what was wrong and what to do. Becomes an ERROR reply (``payload``).
public struct CoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The protocol error code (`not_found`, `resource_exhausted`...).
    public var code: ErrorCode
    /// One line for humans; cut to the protocol's 1024-byte bound when sent.
    public var message: String

    /// An error with `code` and `message`.
    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `not_found: no adapter named ...`.
    public var description: String { "\(code.name): \(message)" }

    /// The ERROR payload, with the message cut on a character boundary to fit the wire bound.
    public var payload: ErrorPayload {
        ErrorPayload(code: code, message: CoreError.fitting(message, bytes: WireLimits.maxMessageBytes))
    }

    /// The reply message carrying this error.
    public var reply: ServerMessage { .error(payload) }

    /// `text` cut to at most `bytes` UTF-8 bytes, on a character boundary, with a trailing
    /// ellipsis when something was cut.
    static func fitting(_ text: String, bytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var result = ""
        var used = 0
        let ellipsis = "..."
        for character in text {
            let size = character.utf8.count
            guard used + size + ellipsis.utf8.count <= limit else { break }
            result.append(character)
            used += size
        }
        return result + ellipsis
    }

    /// The request was abandoned because of CANCEL or because its connection closed.
    static let cancelled = CoreError(.cancelled, "the request was cancelled before it finished")
}
