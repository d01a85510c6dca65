extension TOMLReader {
    /// A `"basic"` or `"""multi-line basic"""` string at the cursor, escapes resolved.
    mutating func parseBasicString() throws(TOMLError) -> String {
        if looking(at: "\"\"\"") { return try parseMultiLineString(quote: UInt8(ascii: "\""), escapes: true) }
        return try parseSingleLineString(quote: UInt8(ascii: "\""), escapes: true)
    }

    /// A `'literal'` or `'''multi-line literal'''` string at the cursor (no escapes).
    mutating func parseLiteralString() throws(TOMLError) -> String {
        if looking(at: "'''") { return try parseMultiLineString(quote: UInt8(ascii: "'"), escapes: false) }
        return try parseSingleLineString(quote: UInt8(ascii: "'"), escapes: false)
    }

    /// `"..."` (with `escapes`) or `'...'`: one line, no raw control characters.
    private mutating func parseSingleLineString(quote: UInt8, escapes: Bool) throws(TOMLError) -> String {
        let start = here()
        let mark = String(UnicodeScalar(quote))
        let other = quote == UInt8(ascii: "\"") ? "'" : "\""
        advance()
        var text: [UInt8] = []
        while true {
            guard let byte = peek else {
                throw failure("unterminated string: no closing \(other)\(mark)\(other) before the end of the file", at: start)
            }
            switch byte {
            case quote:
                advance()
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\") where escapes:
                try parseEscape(into: &text)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw failure(
                    "unterminated string (opened at \(start)): a \(mark)string\(mark) ends on its line; close it with \(other)\(mark)\(other) or use \(mark)\(mark)\(mark) for several lines")
            default:
                try appendPlainByte(byte, to: &text, what: "a string")
            }
        }
    }

    /// Appends a byte that is not a delimiter, rejecting control characters.
    private mutating func appendPlainByte(_ byte: UInt8, to text: inout [UInt8], what: String) throws(TOMLError) {
        if TOMLReader.isForbiddenControl(byte) {
            throw failure("\(found()) is not allowed in \(what); write it as an escape like \\u\(TOMLReader.codePoint(UInt32(byte)).dropFirst(2))")
        }
        text.append(byte)
        advance()
    }

    /// `"""..."""` or `'''...'''`: a newline right after the opening delimiter is
    /// dropped; up to two quotes may precede the closing delimiter; with
    /// `escapes`, a backslash at the end of a line joins it to the next one.
    private mutating func parseMultiLineString(quote: UInt8, escapes: Bool) throws(TOMLError) -> String {
        let start = here()
        advance(by: 3)
        if peek == UInt8(ascii: "\n") {
            advance()
        } else if peek == UInt8(ascii: "\r"), peek(ahead: 1) == UInt8(ascii: "\n") {
            advance(by: 2)
        }
        let delimiter = String(repeating: String(UnicodeScalar(quote)), count: 3)
        var text: [UInt8] = []
        while true {
            guard let byte = peek else {
                throw failure("unterminated multi-line string: no closing \(delimiter) before the end of the file", at: start)
            }
            switch byte {
            case quote:
                var run = 0
                while peek(ahead: run) == quote { run += 1 }
                if run < 3 {
                    text.append(contentsOf: repeatElement(quote, count: run))
                    advance(by: run)
                } else if run <= 5 {
                    text.append(contentsOf: repeatElement(quote, count: run - 3))
                    advance(by: run)
                    return String(decoding: text, as: UTF8.self)
                } else {
                    throw failure("\(run) quotes in a row in a multi-line string; at most two may come before the closing \(delimiter) (escape the others)")
                }
            case UInt8(ascii: "\\") where escapes:
                if isLineEndingBackslash() {
                    advance()
                    while let next = peek {
                        if next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") || next == UInt8(ascii: "\n") {
                            advance()
                        } else if next == UInt8(ascii: "\r") {
                            try consumeCarriageReturn()
                        } else {
                            break
                        }
                    }
                } else {
                    try parseEscape(into: &text)
                }
            case UInt8(ascii: "\n"):
                text.append(byte)
                advance()
            case UInt8(ascii: "\r"):
                try consumeCarriageReturn()
                text.append(UInt8(ascii: "\n"))
            default:
                try appendPlainByte(byte, to: &text, what: "a string")
            }
        }
    }

    /// True when the backslash at the cursor is followed only by spaces or
    /// tabs up to the end of the line.
    private func isLineEndingBackslash() -> Bool {
        var distance = 1
        while let byte = peek(ahead: distance), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
            distance += 1
        }
        let next = peek(ahead: distance)
        return next == UInt8(ascii: "\n") || (next == UInt8(ascii: "\r") && peek(ahead: distance + 1) == UInt8(ascii: "\n"))
    }

    /// A backslash escape at the cursor; appends the UTF-8 of what it stands for.
    private mutating func parseEscape(into text: inout [UInt8]) throws(TOMLError) {
        let start = here()
        advance()
        guard let letter = peek else {
            throw failure("unterminated string: the file ends after a backslash")
        }
        let simple: UInt8?
        switch letter {
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
        case UInt8(ascii: "u"), UInt8(ascii: "U"): simple = nil
        default:
            let shown = letter > 0x20 && letter < 0x7F ? "\\" + String(UnicodeScalar(letter)) : "a backslash followed by \(found())"
            throw failure("invalid escape \(shown) in a string; write a backslash as \\\\, or use a 'literal string' where backslashes are plain", at: start)
        }
        advance()
        if let simple {
            text.append(simple)
            return
        }
        let digits = letter == UInt8(ascii: "u") ? 4 : 8
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let byte = peek, let digit = TOMLReader.hexValue(byte) else {
                throw failure("\\\(UnicodeScalar(letter)) must be followed by \(digits) hexadecimal digits; write a backslash as \\\\, or use a 'literal string' where backslashes are plain", at: start)
            }
            value = value << 4 | digit
            advance()
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw failure("escape \\\(UnicodeScalar(letter))\(String(value, radix: 16, uppercase: true)) is not a Unicode scalar value (surrogates and values above 10FFFF are not allowed)", at: start)
        }
        text.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
