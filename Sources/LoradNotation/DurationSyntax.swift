/// Durations as people write them in configs and flags: `5s`, `250ms`, `2m`, `1h`,
/// `1m30s`, `0.5s`, or a bare number of seconds (`5`).
///
/// Units: `ms`, `s` (also `sec`), `m` (also `min`), `h`. Several number-unit
/// parts add up; spaces between parts are allowed; up to three decimals per
/// part. The result is a whole number of nanoseconds.
public enum DurationSyntax {
    /// The duration `text` spells.
    /// - Throws: ``ConfigValueError`` naming the text and the accepted forms for
    ///   anything else (empty, negative, unknown unit, overflow).
    public static func parse(_ text: String) throws(ConfigValueError) -> Duration {
        let usage = "write a number with a unit: ms, s, m or h (\"250ms\", \"5s\", \"1m30s\"), or a number of seconds"
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { throw ConfigValueError("a duration cannot be empty; \(usage)") }
        if trimmed.hasPrefix("-") { throw ConfigValueError("duration \(text.displayQuoted) is negative; \(usage)") }
        var rest = Substring(trimmed)
        var total: Int64 = 0
        var first = true
        while !rest.isEmpty {
            guard let number = DecimalNumber(prefixOf: rest) else {
                throw ConfigValueError("\(text.displayQuoted) is not a duration; \(usage)")
            }
            rest = rest.dropFirst(number.length).drop { $0 == " " || $0 == "\t" }
            let unitText = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unitText.count).drop { $0 == " " || $0 == "\t" }
            let nanoseconds: Int
            switch unitText.lowercased() {
            case "" where first && rest.isEmpty: nanoseconds = 1_000_000_000
            case "ms": nanoseconds = 1_000_000
            case "s", "sec": nanoseconds = 1_000_000_000
            case "m", "min": nanoseconds = 60_000_000_000
            case "h": nanoseconds = 3_600_000_000_000
            case "": throw ConfigValueError("\(text.displayQuoted) has a number without a unit; \(usage)")
            default: throw ConfigValueError("\(text.displayQuoted) has an unknown unit \(String(unitText).displayQuoted); \(usage)")
            }
            guard let part = number.scaled(by: nanoseconds) else {
                throw ConfigValueError("duration \(text.displayQuoted) is too long or has more than \(DecimalNumber.maximumFractionDigits) decimals")
            }
            let sum = total.addingReportingOverflow(Int64(part))
            guard !sum.overflow else { throw ConfigValueError("duration \(text.displayQuoted) is too long") }
            total = sum.partialValue
            first = false
        }
        return .nanoseconds(total)
    }

    /// A whole number of seconds, as a TOML integer gives it.
    /// - Throws: ``ConfigValueError`` for a negative or absurdly large count.
    public static func seconds(_ count: Int64) throws(ConfigValueError) -> Duration {
        guard count >= 0 else { throw ConfigValueError("duration \(count) is negative; write a number of seconds or a string like \"5s\"") }
        guard count <= Int64.max / 1_000_000_000 else { throw ConfigValueError("duration \(count) seconds is too long") }
        return .seconds(count)
    }

    /// A short form for messages: `5s`, `250ms`, `2m`, `1h30m`, `1500ms`
    /// (milliseconds when not a whole number of seconds; nanoseconds below that).
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = attoseconds / 1_000_000_000
        guard seconds >= 0, nanoseconds >= 0, seconds < Int64.max / 1_000_000_000 else { return "\(duration)" }
        if nanoseconds % 1_000_000 != 0 { return "\(seconds * 1_000_000_000 + nanoseconds)ns" }
        if nanoseconds != 0 || seconds == 0 { return "\(seconds * 1000 + nanoseconds / 1_000_000)ms" }
        var text = ""
        let hours = seconds / 3600, minutes = seconds % 3600 / 60, rest = seconds % 60
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        if rest > 0 { text += "\(rest)s" }
        return text
    }
}
