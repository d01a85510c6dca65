/// TOML's integer and float grammar, applied to one token of ASCII bytes.
enum TOMLNumber {
    /// Why a token that is clearly meant as a number is not a valid one.
    struct Problem: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// Bytes that can appear in a decimal number.
    static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "-"),
            UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
            true
        default:
            false
        }
    }

    /// `1979-05-27...` or `07:32...`.
    static func looksLikeDateOrTime(_ token: [UInt8]) -> Bool {
        func digits(_ range: Range<Int>) -> Bool {
            range.upperBound <= token.count && token[range].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
        if digits(0..<4), token.count > 4, token[4] == UInt8(ascii: "-") { return true }
        if digits(0..<2), token.count > 2, token[2] == UInt8(ascii: ":") { return true }
        return false
    }

    private static func digitValue(_ byte: UInt8, radix: Int) -> Int? {
        let value: Int
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
        return value < radix ? value : nil
    }

    /// True when `digits` is `d(_?d)*` in `radix`.
    private static func isDigitRun(_ digits: ArraySlice<UInt8>, radix: Int) -> Bool {
        guard let first = digits.first, let last = digits.last,
            digitValue(first, radix: radix) != nil, digitValue(last, radix: radix) != nil
        else { return false }
        var previousUnderscore = false
        for byte in digits {
            if byte == UInt8(ascii: "_") {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else {
                guard digitValue(byte, radix: radix) != nil else { return false }
                previousUnderscore = false
            }
        }
        return true
    }

    /// The integer `token` spells, nil when it is not an integer at all (maybe a
    /// float). Throws for near misses: leading zeros, bad underscores, a sign
    /// on a prefixed integer, overflow.
    static func integer(_ token: [UInt8]) throws(Problem) -> Int64? {
        let text = String(decoding: token, as: UTF8.self)
        var index = 0
        var negative = false
        var signed = false
        if let first = token.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            signed = true
            index = 1
        }
        guard index < token.count else { return nil }
        var radix = 10
        if token[index] == UInt8(ascii: "0"), index + 1 < token.count {
            switch token[index + 1] {
            case UInt8(ascii: "x"): radix = 16
            case UInt8(ascii: "o"): radix = 8
            case UInt8(ascii: "b"): radix = 2
            default: break
            }
        }
        let digits: ArraySlice<UInt8>
        if radix != 10 {
            if signed { throw Problem("a sign is not allowed on a hexadecimal, octal or binary integer (\(text))") }
            digits = token[(index + 2)...]
            guard isDigitRun(digits, radix: radix) else {
                let name = radix == 16 ? "hexadecimal" : radix == 8 ? "octal" : "binary"
                throw Problem("invalid \(name) integer \(text)")
            }
        } else {
            digits = token[index...]
            if digits.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
                return nil
            }
            guard digits.allSatisfy({ isNumberByte($0) }) else { return nil }
            guard isDigitRun(digits, radix: 10) else {
                let note = digits.contains(UInt8(ascii: "_")) ? " (underscores must sit between digits)" : ""
                throw Problem("invalid integer \(text)\(note)")
            }
            if digits.count > 1, digits.first == UInt8(ascii: "0") {
                throw Problem("leading zeros are not allowed in integers (\(text)); write an octal number as 0o\(text.drop(while: { $0 == "0" || $0 == "+" || $0 == "-" })), or use a string in quotes")
            }
        }
        var value: Int64 = 0
        for byte in digits where byte != UInt8(ascii: "_") {
            guard let digit = digitValue(byte, radix: radix) else { return nil }
            let shifted = value.multipliedReportingOverflow(by: Int64(radix))
            let next = negative
                ? shifted.partialValue.subtractingReportingOverflow(Int64(digit))
                : shifted.partialValue.addingReportingOverflow(Int64(digit))
            guard !shifted.overflow, !next.overflow else {
                throw Problem("integer \(text) does not fit in 64 bits")
            }
            value = next.partialValue
        }
        return value
    }

    /// The float `token` spells, nil when it does not look like one. Throws
    /// for near misses and for values too large for a Double.
    static func float(_ token: [UInt8]) throws(Problem) -> Double? {
        let text = String(decoding: token, as: UTF8.self)
        guard token.allSatisfy({ isNumberByte($0) }) else { return nil }
        var index = 0
        if let first = token.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { index = 1 }
        guard index < token.count, digitValue(token[index], radix: 10) != nil else { return nil }
        let exponentAt = token[index...].firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        let mantissaEnd = exponentAt ?? token.count
        let dotAt = token[index..<mantissaEnd].firstIndex(of: UInt8(ascii: "."))
        let integerPart = token[index..<(dotAt ?? mantissaEnd)]
        guard isDigitRun(integerPart, radix: 10) else {
            throw Problem("invalid float \(text) (it needs digits before the '.' or exponent, like 0.5)")
        }
        if integerPart.count > 1, integerPart.first == UInt8(ascii: "0") {
            throw Problem("leading zeros are not allowed in numbers (\(text))")
        }
        if let dotAt {
            guard isDigitRun(token[(dotAt + 1)..<mantissaEnd], radix: 10) else {
                throw Problem("invalid float \(text) (it needs digits after the '.', like 1.0)")
            }
        }
        if let exponentAt {
            var exponentStart = exponentAt + 1
            if exponentStart < token.count, token[exponentStart] == UInt8(ascii: "+") || token[exponentStart] == UInt8(ascii: "-") {
                exponentStart += 1
            }
            guard isDigitRun(token[exponentStart...], radix: 10) else {
                throw Problem("invalid float \(text) (bad exponent)")
            }
        }
        guard dotAt != nil || exponentAt != nil else { return nil }
        let plain = String(decoding: token.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        guard let value = Double(plain), value.isFinite else {
            throw Problem("float \(text) is out of range")
        }
        return value
    }
}
