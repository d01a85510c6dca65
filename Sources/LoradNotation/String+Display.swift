/// Echoing user text in one-line error messages, shared by the notations here, the TOML
/// reader and the configuration built on it.
extension String {
    /// The longest user text echoed into an error message, in Unicode scalars.
    public static let displayLimit = 80

    /// The text in double quotes, safe to embed in a one-line message: quotes,
    /// backslashes and control characters escaped, cut at ``displayLimit``
    /// scalars with an ellipsis.
    public var displayQuoted: String { "\"" + displayEscaped(quote: "\"") + "\"" }

    /// Like ``displayQuoted`` with single quotes, as in `unknown key 'x'`.
    public var displaySingleQuoted: String { "'" + displayEscaped(quote: "'") + "'" }

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

