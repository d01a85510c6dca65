import LoradNotation

extension TOMLReader {
    /// A value whose depth (keys on its path plus enclosing arrays) is `depth`.
    mutating func parseValue(depth: Int) throws(TOMLError) -> TOMLValue {
        guard depth <= TOMLParser.maximumDepth else {
            throw failure("values are nested more than \(TOMLParser.maximumDepth) levels deep")
        }
        guard let byte = peek else { throw failure("expected a value, found the end of the file") }
        switch byte {
        case UInt8(ascii: "\""):
            return .string(try parseBasicString())
        case UInt8(ascii: "'"):
            return .string(try parseLiteralString())
        case UInt8(ascii: "["):
            return try parseArray(depth: depth)
        case UInt8(ascii: "{"):
            return try parseInlineTable(depth: depth)
        default:
            if TOMLReader.isTokenByte(byte) { return try parseBareValue() }
            var message = "expected a value, found \(found())"
            if byte > 0x20, byte != 0x7F, !"[]{},=#".utf8.contains(byte) {
                message += "; text must be in quotes: \"...\""
            }
            throw failure(message)
        }
    }

    /// Bytes that can make up a number, boolean or (rejected) date token.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        TOMLKey.isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }

    // MARK: Arrays and inline tables

    private mutating func parseArray(depth: Int) throws(TOMLError) -> TOMLValue {
        let start = here()
        advance()
        var elements: [TOMLValue] = []
        while true {
            try skipSpacesCommentsAndNewlines()
            guard let byte = peek else {
                throw failure("unterminated array: no closing ']' before the end of the file", at: start)
            }
            if byte == UInt8(ascii: "]") {
                advance()
                return .array(elements)
            }
            elements.append(try parseValue(depth: depth + 1))
            try skipSpacesCommentsAndNewlines()
            switch peek {
            case UInt8(ascii: ","):
                advance()
            case UInt8(ascii: "]"):
                advance()
                return .array(elements)
            case nil:
                throw failure("unterminated array: no closing ']' before the end of the file", at: start)
            default:
                throw failure("expected ',' or ']' after an array element, found \(found())")
            }
        }
    }

    private mutating func parseInlineTable(depth: Int) throws(TOMLError) -> TOMLValue {
        let start = here()
        advance()
        let table = TOMLTableBuilder(origin: .root, position: start)
        skipSpaces()
        if peek == UInt8(ascii: "}") {
            advance()
            return .table(table.build())
        }
        while true {
            try rejectNewlineInInlineTable()
            try parseKeyValue(into: table, depth: depth)
            skipSpaces()
            switch peek {
            case UInt8(ascii: ","):
                advance()
                skipSpaces()
                if peek == UInt8(ascii: "}") {
                    throw failure("a trailing comma is not allowed in an inline table (TOML 1.0)")
                }
            case UInt8(ascii: "}"):
                advance()
                return .table(table.build())
            case nil:
                throw failure("unterminated inline table: no closing '}' before the end of the file", at: start)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                try rejectNewlineInInlineTable()
            default:
                throw failure("expected ',' or '}' in an inline table, found \(found())")
            }
        }
    }

    private mutating func rejectNewlineInInlineTable() throws(TOMLError) {
        skipSpaces()
        if peek == UInt8(ascii: "\n") || peek == UInt8(ascii: "\r") || peek == UInt8(ascii: "#") {
            throw failure("an inline table { ... } must be on one line (TOML 1.0); use a [table] section for a longer one")
        }
    }

    // MARK: Numbers, booleans

    private mutating func parseBareValue() throws(TOMLError) -> TOMLValue {
        let start = here()
        let begin = offset
        while let byte = peek, TOMLReader.isTokenByte(byte) { advance() }
        let token = Array(bytes[begin..<offset])
        let text = String(decoding: token, as: UTF8.self)
        switch text {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        do throws(TOMLNumber.Problem) {
            if TOMLNumber.looksLikeDateOrTime(token) {
                throw TOMLNumber.Problem("dates and times are not supported in lorad's config; write \(text) as a string in quotes")
            }
            if let integer = try TOMLNumber.integer(token) { return .integer(integer) }
            if let float = try TOMLNumber.float(token) { return .float(float) }
        } catch {
            throw failure(error.message, at: start)
        }
        if let first = token.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: ".") {
            if token.allSatisfy({ TOMLNumber.isNumberByte($0) }) {
                throw failure("invalid number \(text)", at: start)
            }
        }
        throw failure("\(text) is not a number or boolean; if it is text, put it in quotes: \(text.displayQuoted)", at: start)
    }
}
