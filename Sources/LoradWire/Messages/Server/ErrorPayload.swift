/// The payload of ERROR replies and FATAL frames: a stable numeric code, its name, and a
/// one-line message.
///
/// The name travels beside the number so that a client can show codes newer than itself;
/// receivers act on `rawCode` (via `code`) and never parse `message`.
///
/// Fields in wire order (PROTOCOL.md): `code` u16, `name` str, `message` str.
public struct ErrorPayload: WireCodable, Hashable, CustomStringConvertible {
    /// The numeric code as sent; see `code` for the known ones.
    public var rawCode: UInt16
    /// The code's name as sent, e.g. `not_found` (at most 64 bytes).
    public var name: String
    /// A one-line explanation for humans: what was wrong and what to do (at most 1024 bytes).
    public var message: String

    /// Creates a payload with every field given, e.g. to relay a code this build does not know.
    public init(rawCode: UInt16, name: String, message: String) {
        self.rawCode = rawCode
        self.name = name
        self.message = message
    }

    /// Creates a payload for a known `code`, sending its standard name. A `message` over 1024
    /// bytes is cut (at a character boundary) so that reporting an error never fails.
    public init(code: ErrorCode, message: String) {
        var cut = message
        if message.utf8.count > WireLimits.maxMessageBytes {
            cut = ""
            var bytes = 0
            for character in message {
                bytes += character.utf8.count
                guard bytes <= WireLimits.maxMessageBytes else { break }
                cut.append(character)
            }
        }
        self.init(rawCode: code.rawValue, name: code.name, message: cut)
    }

    /// The known code for `rawCode`, or `nil` for a code newer than this build.
    public var code: ErrorCode? { ErrorCode(rawValue: rawCode) }

    /// `"<name> (<code>): <message>"`, e.g. `not_found (100): no adapter named "disney"`.
    public var description: String { "\(name) (\(rawCode)): \(message)" }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        rawCode = try reader.u16("code")
        name = try reader.string("name", maxBytes: WireLimits.maxErrorNameBytes)
        message = try reader.string("message", maxBytes: WireLimits.maxMessageBytes)
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u16(rawCode)
        try writer.string(name, "name", maxBytes: WireLimits.maxErrorNameBytes)
        try writer.string(message, "message", maxBytes: WireLimits.maxMessageBytes)
    }
}
