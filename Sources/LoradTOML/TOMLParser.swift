/// A strict parser for the subset of TOML 1.0 that lorad's config uses, plus
/// what people naturally write in such a file.
///
/// Supported: comments; bare, quoted and dotted keys; basic strings with all
/// escapes (`\uXXXX`, `\UXXXXXXXX`), literal strings, and both multi-line forms;
/// decimal, hexadecimal, octal and binary integers with `_` separators; floats,
/// `inf` and `nan`; booleans; arrays (multi-line, trailing comma, comments);
/// inline tables; `[table]` headers. Rejected with a clear error: arrays of
/// tables (`[[x]]`), dates and times, duplicate keys, tables defined twice,
/// invalid UTF-8, inputs over ``maximumInputSize`` bytes and nesting deeper than
/// ``maximumDepth``.
///
/// The parser is pure and synchronous: it never reads files, and every error
/// is a ``TOMLError`` carrying line and column. Memory and stack use are bounded
/// by the two limits, so any input of any bytes either parses or fails cleanly.
public enum TOMLParser {
    /// The largest document accepted, in bytes (1 MiB).
    public static let maximumInputSize = 1 << 20

    /// The deepest nesting accepted: the number of keys on the path to a value
    /// plus the number of arrays around it.
    public static let maximumDepth = 32

    /// Parses `text` (UTF-8) into its root table. `fileName` prefixes error messages.
    /// - Throws: ``TOMLError`` with the position of the first problem.
    public static func parse(_ text: String, fileName: String = "<string>") throws(TOMLError) -> TOMLTable {
        try parse(Array(text.utf8), fileName: fileName)
    }

    /// Parses the UTF-8 `bytes` of a document into its root table. A leading
    /// byte order mark is skipped. `fileName` prefixes error messages.
    /// - Throws: ``TOMLError`` with the position of the first problem.
    public static func parse(_ bytes: [UInt8], fileName: String) throws(TOMLError) -> TOMLTable {
        var reader = TOMLReader(bytes: bytes, fileName: fileName)
        return try reader.parseDocument()
    }
}
