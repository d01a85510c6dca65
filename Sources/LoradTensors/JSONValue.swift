/// A parsed JSON value, as the strict parser in ``JSONParser`` produces it.
/// Headers, index files and adapter configs are read through it.
public enum JSONValue: Sendable {
    /// An object's members in document order (keys are unique: the parser
    /// rejects duplicates).
    case object([(key: String, value: JSONValue)])
    /// An array.
    case array([JSONValue])
    /// A string.
    case string(String)
    /// A number written as a plain non-negative integer (no sign, fraction or
    /// exponent) that fits in `UInt64`.
    case integer(UInt64)
    /// Any other number, as written.
    case number(String)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null

    /// A short name of the value's kind, for error messages.
    public var kind: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .integer: "an integer"
        case .number(let text): "the number \(text)"
        case .bool(let value): "\(value)"
        case .null: "null"
        }
    }

    /// The value as an `Int` when it is a non-negative integer that fits.
    public var nonNegativeInt: Int? {
        if case .integer(let value) = self, value <= UInt64(Int.max) { return Int(value) }
        return nil
    }

    /// The value as a Double when it is a number (integer or not), else nil.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let text): Double(text)
        default: nil
        }
    }

    /// The member named `key` when the value is an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// Appends `text` as a JSON string literal the way serde_json writes it:
    /// `"` and `\` escaped, control characters as `\n`, `\t`... or `\u00XX`,
    /// everything else (including non-ASCII) as raw UTF-8.
    public static func appendQuoted(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
            case 0x08: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
