/// The cursor of ``TOMLParser``: the bytes, where it is, and the document
/// structure (keys, headers, the table rules). Values live in
/// `TOMLReader+Values.swift`, strings in `TOMLReader+Strings.swift`.
///
/// Every byte is consumed through ``advance()``, which keeps the line count,
/// so positions cost nothing until an entry or an error asks for one.
struct TOMLReader {
    let bytes: [UInt8]
    let fileName: String
    private(set) var offset = 0
    private var line = 1
    private var lineStart = 0
    /// A known (offset, column) on the current line, so columns are counted
    /// incrementally even on one very long line.
    private var columnMark = (offset: 0, column: 1)

    init(bytes: [UInt8], fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
    }

    // MARK: Cursor

    /// The byte at the cursor, nil at the end.
    var peek: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    /// The byte `distance` bytes after the cursor, nil past the end.
    func peek(ahead distance: Int) -> UInt8? {
        let index = offset + distance
        return index < bytes.count ? bytes[index] : nil
    }

    /// True when the bytes at the cursor are `text` (ASCII).
    func looking(at text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count - offset >= count else { return false }
        let start = text.utf8Start
        for index in 0..<count where bytes[offset + index] != start[index] { return false }
        return true
    }

    /// Consumes one byte (there must be one), counting lines.
    mutating func advance() {
        if bytes[offset] == UInt8(ascii: "\n") {
            line += 1
            lineStart = offset + 1
        }
        offset += 1
    }

    /// Consumes `count` bytes.
    mutating func advance(by count: Int) {
        for _ in 0..<count { advance() }
    }

    /// The position of the cursor.
    mutating func here() -> TOMLPosition {
        if columnMark.offset < lineStart || columnMark.offset > offset {
            columnMark = (lineStart, 1)
        }
        var column = columnMark.column
        for index in columnMark.offset..<offset where bytes[index] & 0xC0 != 0x80 {
            column += 1
        }
        columnMark = (offset, column)
        return TOMLPosition(line: line, column: column)
    }

    /// An error at `position`, or at the cursor.
    mutating func failure(_ message: String, at position: TOMLPosition? = nil) -> TOMLError {
        TOMLError(fileName: fileName, position: position ?? here(), message: message)
    }

    /// What is at the cursor, for "found ..." in messages.
    func found() -> String {
        guard let byte = peek else { return "the end of the file" }
        switch byte {
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"): return "the end of the line"
        case UInt8(ascii: "\t"): return "a tab"
        case UInt8(ascii: " "): return "a space"
        case 0x21..<0x7F: return "'" + String(UnicodeScalar(byte)) + "'"
        case 0..<0x80: return "control character " + TOMLReader.codePoint(UInt32(byte))
        default:
            var iterator = bytes[offset...].makeIterator()
            var decoder = UTF8()
            if case .scalarValue(let scalar) = decoder.decode(&iterator) {
                return "character " + TOMLReader.codePoint(scalar.value)
            }
            return "an invalid byte"
        }
    }

    /// `U+00E9`.
    static func codePoint(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// True for control characters TOML forbids outside escapes (all but tab).
    static func isForbiddenControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F
    }

    // MARK: Whitespace, comments, line ends

    /// Skips spaces and tabs.
    mutating func skipSpaces() {
        while let byte = peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { advance() }
    }

    /// Consumes `\r\n`; a lone carriage return is an error.
    mutating func consumeCarriageReturn() throws(TOMLError) {
        guard peek(ahead: 1) == UInt8(ascii: "\n") else {
            throw failure("a carriage return must be followed by a line feed (use \\n or \\r\\n line ends)")
        }
        advance(by: 2)
    }

    /// Skips a `#` comment up to (not including) the line end.
    mutating func skipComment() throws(TOMLError) {
        advance()
        while let byte = peek, byte != UInt8(ascii: "\n") {
            if byte == UInt8(ascii: "\r"), peek(ahead: 1) == UInt8(ascii: "\n") { return }
            if TOMLReader.isForbiddenControl(byte) {
                throw failure("\(found()) is not allowed in a comment")
            }
            advance()
        }
    }

    /// Skips spaces, tabs, comments and line ends (inside arrays).
    mutating func skipSpacesCommentsAndNewlines() throws(TOMLError) {
        while let byte = peek {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"): advance()
            case UInt8(ascii: "\r"): try consumeCarriageReturn()
            case UInt8(ascii: "#"): try skipComment()
            default: return
            }
        }
    }

    /// After a key-value pair or header: spaces, an optional comment, then the
    /// end of the line or of the file.
    mutating func expectLineEnd(after what: String) throws(TOMLError) {
        skipSpaces()
        if peek == UInt8(ascii: "#") { try skipComment() }
        switch peek {
        case nil, UInt8(ascii: "\n"): return
        case UInt8(ascii: "\r"): try consumeCarriageReturn()
        default: throw failure("expected the end of the line after \(what), found \(found())")
        }
    }

    // MARK: Document

    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        guard bytes.count <= TOMLParser.maximumInputSize else {
            throw failure("the document is \(bytes.count) bytes; the limit is 1 MiB (1048576 bytes)")
        }
        if let bad = UTF8Validation.firstInvalidOffset(in: bytes) {
            advance(by: bad)
            throw failure("invalid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true))); save the file as UTF-8")
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { advance(by: 3) }
        let root = TOMLTableBuilder(origin: .root, position: here())
        var current = root
        var currentDepth = 0
        while let byte = peek {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"):
                advance()
            case UInt8(ascii: "\r"):
                try consumeCarriageReturn()
            case UInt8(ascii: "#"):
                try skipComment()
            case UInt8(ascii: "["):
                let (table, path) = try parseTableHeader(root: root)
                current = table
                currentDepth = path.count
                try expectLineEnd(after: "the table header [\(TOMLKey.written(path))]")
            default:
                let key = try parseKeyValue(into: current, depth: currentDepth)
                try expectLineEnd(after: "the value of key \(TOMLKey.quoted(key))")
            }
        }
        return root.build()
    }

    // MARK: Keys

    /// A key, dotted or not: its parts and where it starts.
    mutating func parseKey() throws(TOMLError) -> (parts: [String], position: TOMLPosition) {
        skipSpaces()
        let start = here()
        var parts: [String] = []
        while true {
            skipSpaces()
            parts.append(try parseSimpleKey(after: parts))
            guard parts.count <= TOMLParser.maximumDepth else {
                throw failure("key \(TOMLKey.quoted(parts.prefix(3)))... has more than \(TOMLParser.maximumDepth) parts", at: start)
            }
            skipSpaces()
            guard peek == UInt8(ascii: ".") else { break }
            advance()
        }
        return (parts, start)
    }

    private mutating func parseSimpleKey(after parts: [String]) throws(TOMLError) -> String {
        guard let byte = peek else {
            throw failure(parts.isEmpty ? "expected a key, found the end of the file" : "expected a key after '.', found the end of the file")
        }
        switch byte {
        case UInt8(ascii: "\""):
            if looking(at: "\"\"\"") { throw failure("a multi-line string cannot be a key") }
            return try parseBasicString()
        case UInt8(ascii: "'"):
            if looking(at: "'''") { throw failure("a multi-line string cannot be a key") }
            return try parseLiteralString()
        default:
            guard TOMLKey.isBareKeyByte(byte) else {
                if parts.isEmpty, byte == UInt8(ascii: "=") { throw failure("expected a key before '='") }
                let context = parts.isEmpty ? "" : " after '\(TOMLKey.written(parts)).'"
                throw failure("expected a key\(context), found \(found()) (a bare key is made of A-Z a-z 0-9 _ -; quote any other key)")
            }
            let begin = offset
            while let next = peek, TOMLKey.isBareKeyByte(next) { advance() }
            return String(decoding: bytes[begin..<offset], as: UTF8.self)
        }
    }

    /// `key = value` into `table`, whose own depth is `depth`. Returns the key.
    @discardableResult
    mutating func parseKeyValue(into table: TOMLTableBuilder, depth: Int) throws(TOMLError) -> [String] {
        let (parts, start) = try parseKey()
        skipSpaces()
        guard peek == UInt8(ascii: "=") else {
            throw failure("expected '=' after key \(TOMLKey.quoted(parts)), found \(found())")
        }
        advance()
        skipSpaces()
        let valueStart = offset
        let value = try parseValue(depth: depth + parts.count)
        let literal: String?
        switch value {
        case .array, .table: literal = nil
        default: literal = String(decoding: bytes[valueStart..<offset], as: UTF8.self)
        }
        try insert(TOMLEntry(key: parts[parts.count - 1], value: value, position: start, literal: literal), path: parts, into: table)
        return parts
    }

    /// Stores a key-value pair under its dotted path, creating dotted-key tables.
    private mutating func insert(_ entry: TOMLEntry, path: [String], into root: TOMLTableBuilder) throws(TOMLError) {
        var table = root
        for (index, part) in path.dropLast().enumerated() {
            let prefix = TOMLKey.quoted(path[...index])
            switch table[part] {
            case nil:
                let child = TOMLTableBuilder(origin: .dottedKey, position: entry.position)
                table.add(part, .table(child))
                table = child
            case .value(let existing):
                throw failure("cannot set key \(TOMLKey.quoted(path)): \(prefix) \(TOMLReader.alreadyDefined(existing))", at: entry.position)
            case .table(let child):
                guard child.origin == .dottedKey else {
                    throw failure(
                        "cannot add key \(TOMLKey.quoted(path)) with a dotted key: table [\(TOMLKey.written(path[...index]))] is defined by a [header] (line \(child.position.line)); put the key under that header",
                        at: entry.position)
                }
                table = child
            }
        }
        if let existing = table[entry.key] {
            let line: Int
            switch existing {
            case .value(let old): line = old.position.line
            case .table(let old): line = old.position.line
            }
            throw failure("duplicate key \(TOMLKey.quoted(path)) (first defined at line \(line))", at: entry.position)
        }
        table.add(entry.key, .value(entry))
    }

    /// `is already an integer (line 3)`, noting that an inline table is sealed.
    private static func alreadyDefined(_ existing: TOMLEntry) -> String {
        let text = "is already \(existing.value.kindDescription) (line \(existing.position.line))"
        if case .table = existing.value { return text + "; an inline table cannot be extended" }
        return text
    }

    // MARK: Table headers

    /// `[a.b]`: returns the table it names and its path.
    private mutating func parseTableHeader(root: TOMLTableBuilder) throws(TOMLError) -> (TOMLTableBuilder, [String]) {
        let start = here()
        advance()
        if peek == UInt8(ascii: "[") {
            throw failure("arrays of tables ([[name]]) are not supported in lorad's config; use a [table] with distinct keys", at: start)
        }
        let (path, _) = try parseKey()
        skipSpaces()
        guard peek == UInt8(ascii: "]") else {
            throw failure("expected ']' to close the table header [\(TOMLKey.written(path)), found \(found())")
        }
        advance()
        let name = "[\(TOMLKey.written(path))]"
        var table = root
        for (index, part) in path.enumerated() {
            let isLast = index == path.count - 1
            switch table[part] {
            case nil:
                let child = TOMLTableBuilder(origin: isLast ? .header : .implicitByHeader, position: start)
                table.add(part, .table(child))
                table = child
            case .value(let existing):
                throw failure("cannot define table \(name): key \(TOMLKey.quoted(path[...index])) \(TOMLReader.alreadyDefined(existing))", at: start)
            case .table(let child):
                if isLast {
                    switch child.origin {
                    case .implicitByHeader:
                        child.origin = .header
                    case .header, .root:
                        throw failure("table \(name) is defined twice (first at line \(child.position.line))", at: start)
                    case .dottedKey:
                        throw failure("table \(name) was already created by a dotted key at line \(child.position.line); a [header] cannot define it again", at: start)
                    }
                }
                table = child
            }
        }
        return (table, path)
    }
}
