/// A non-negative decimal number at the start of a string, `12` or `1.5`,
/// kept as integers so that scaling it by a unit is exact. Shared by the size
/// and duration syntaxes.
struct DecimalNumber {
    /// The most decimals accepted: enough for `1.5GiB` or `0.25s`, and few
    /// enough that scaling by a unit cannot overflow before the check.
    static let maximumFractionDigits = 3

    /// The digits before the point.
    var integerPart: Int
    /// The digits after the point, as an integer (`25` for `.25`).
    var fraction: Int
    /// How many digits came after the point.
    var fractionDigits: Int
    /// How many characters of the string the number used.
    var length: Int

    /// Reads `digits[.digits]` (underscores allowed between digits) from the
    /// start of `text`; nil when it does not start with a digit, or the
    /// integer part does not fit in an `Int`.
    init?(prefixOf text: Substring) {
        var integerPart = 0
        var fraction = 0
        var fractionDigits = 0
        var length = 0
        var sawDigit = false
        var inFraction = false
        for character in text.unicodeScalars {
            if ("0"..."9").contains(character) {
                let digit = Int(character.value - 48)
                sawDigit = true
                if inFraction {
                    fractionDigits += 1
                    if fractionDigits <= DecimalNumber.maximumFractionDigits { fraction = fraction * 10 + digit }
                } else {
                    let shifted = integerPart.multipliedReportingOverflow(by: 10)
                    let next = shifted.partialValue.addingReportingOverflow(digit)
                    if shifted.overflow || next.overflow { return nil }
                    integerPart = next.partialValue
                }
            } else if character == "_", sawDigit {
                // A digit separator: 1_000_000.
            } else if character == ".", sawDigit, !inFraction {
                inFraction = true
            } else {
                break
            }
            length += 1
        }
        guard sawDigit, !(inFraction && fractionDigits == 0) else { return nil }
        self.integerPart = integerPart
        self.fraction = fraction
        self.fractionDigits = fractionDigits
        self.length = length
    }

    init?(prefixOf text: String) { self.init(prefixOf: Substring(text)) }

    /// `number * unit`, rounded down; nil on overflow or too many decimals.
    func scaled(by unit: Int) -> Int? {
        guard fractionDigits <= DecimalNumber.maximumFractionDigits else { return nil }
        let whole = integerPart.multipliedReportingOverflow(by: unit)
        guard !whole.overflow else { return nil }
        var divisor = 1
        for _ in 0..<fractionDigits { divisor *= 10 }
        let part = fraction.multipliedReportingOverflow(by: unit)
        guard !part.overflow else { return nil }
        let total = whole.partialValue.addingReportingOverflow(part.partialValue / divisor)
        return total.overflow ? nil : total.partialValue
    }
}
