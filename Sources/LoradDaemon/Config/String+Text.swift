extension String {
    /// The longest user text echoed into an error message, in Unicode scalars.
    static let displayLimit = 80

    /// The text in double quotes, safe to embed in a one-line message: quotes,
    /// backslashes and control characters escaped, cut at ``displayLimit``
    /// scalars with an ellipsis.
    var displayQuoted: String { "\"" + displayEscaped(quote: "\"") + "\"" }

    /// Like ``displayQuoted`` with single quotes, as in `unknown key 'x'`.
    var displaySingleQuoted: String { "'" + displayEscaped(quote: "'") + "'" }

    private func displayEscaped(quote: Unicode.Scalar) -> String {
        var out = ""
        var count = 0
        for scalar in unicodeScalars {
            if count == String.displayLimit {
                out += "…"
                break
            }
            count += 1
            switch scalar {
            case quote, "\\":
                out += "\\" + String(scalar)
            case "\n":
                out += "\\n"
            case "\t":
                out += "\\t"
            case "\r":
                out += "\\r"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                    || scalar.properties.generalCategory == .lineSeparator
                    || scalar.properties.generalCategory == .paragraphSeparator
                {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
