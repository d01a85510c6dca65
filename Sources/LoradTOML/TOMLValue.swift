/// A parsed TOML value.
///
/// Dates and times are not part of the subset lorad reads; the parser rejects
/// them with a clear error. Integers are 64-bit signed, as TOML requires.
public enum TOMLValue: Sendable, Equatable {
    /// A basic or literal string (single- or multi-line), escapes resolved.
    case string(String)
    /// A decimal, hexadecimal, octal or binary integer.
    case integer(Int64)
    /// A finite float, `inf` or `nan`.
    case float(Double)
    /// `true` or `false`.
    case boolean(Bool)
    /// An array; its elements may be of mixed types (TOML 1.0).
    case array([TOMLValue])
    /// A table: a `[section]`, a dotted-key table or an inline table.
    case table(TOMLTable)

    /// The kind of value with its article, for messages: `a string`, `an integer`...
    public var kindDescription: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .array: "an array"
        case .table: "a table"
        }
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The integer, when this is an integer.
    public var integerValue: Int64? {
        if case .integer(let number) = self { return number }
        return nil
    }

    /// The table, when this is a table.
    public var tableValue: TOMLTable? {
        if case .table(let table) = self { return table }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [TOMLValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}
