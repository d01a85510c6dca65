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
    /// A one-line explanation for humans: what was wrong and what to do (at most 1024 bytes;
    /// control characters escaped when the payload is made with ``init(code:message:)``).
    public var message: String

    /// Creates a payload with every field given, e.g. to relay a code this build does not know.
    public init(rawCode: UInt16, name: String, message: String) {
        self.rawCode = rawCode
        self.name = name
        self.message = message
    }

    /// Creates a payload for a known `code`, sending its standard name. Every ERROR and FATAL
    /// the server sends is built here, so this is the one place a message is made one line:
    /// control characters, which a message may echo from client input (a name, a file name),
    /// are escaped (see ``oneLine(_:)``), and a message over 1024 bytes is cut, at a character
    /// boundary and never inside an escape, so that reporting an error never fails.
    public init(code: ErrorCode, message: String) {
        self.init(rawCode: code.rawValue, name: code.name, message: Self.oneLine(message))
    }

    /// `text` as one line of at most `maxMessageBytes` UTF-8 bytes: line feed, carriage
    /// return and tab become `\n`, `\r`, `\t`; other C0 controls, DEL, C1 controls and the
    /// line and paragraph separators U+2028 and U+2029 become `\u{XX}` (hex, at least two
    /// digits). Backslashes are left as they are: the message is for people, never parsed.
    static func oneLine(_ text: String) -> String {
        let limit = WireLimits.maxMessageBytes
        if text.utf8.count <= limit, !text.unicodeScalars.contains(where: needsEscape) { return text }
        let pieces = text.lazy.map { $0.unicodeScalars.contains(where: needsEscape) ? escaped($0) : String($0) }
        return BoundedText.joined(pieces, toBytes: limit)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// The scalars of `character`, the ones that need it escaped.
    private static func escaped(_ character: Character) -> String {
        var out = ""
        for scalar in character.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where needsEscape(scalar):
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u{" + (hex.count < 2 ? "0" + hex : hex) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
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
