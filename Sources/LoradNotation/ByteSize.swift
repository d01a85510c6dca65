/// Byte counts as people write them in configs and flags: `1073741824`,
/// `512M`, `32GiB`, `1.5 GiB`, `64MB`.
///
/// `K`, `M`, `G`, `T` and `KiB`, `MiB`, `GiB`, `TiB` are powers of 1024 (as in
/// systemd's `MemoryMax=`); `KB`, `MB`, `GB`, `TB` are powers of 1000; `B` or no
/// unit means bytes. Units are case-insensitive; a space may separate the number
/// and its unit; up to three decimals are allowed with a unit (rounded down to
/// whole bytes).
public enum ByteSize {
    /// KiB, MiB, GiB, TiB in bytes.
    public static let kibibyte = 1 << 10, mebibyte = 1 << 20, gibibyte = 1 << 30, tebibyte = 1 << 40

    /// The number of bytes `text` spells.
    /// - Throws: ``ConfigValueError`` naming the text and the accepted forms, for
    ///   anything else (empty, negative, unknown unit, too many decimals, or more
    ///   than `Int.max` bytes).
    public static func parse(_ text: String) throws(ConfigValueError) -> Int {
        let usage = "write a number of bytes (1073741824) or a number with a unit: K, M, G, T (powers of 1024, also written KiB, MiB, GiB, TiB) or KB, MB, GB, TB (powers of 1000)"
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { throw ConfigValueError("a size cannot be empty; \(usage)") }
        if trimmed.hasPrefix("-") { throw ConfigValueError("size \(text.displayQuoted) is negative; \(usage)") }
        guard let number = DecimalNumber(prefixOf: trimmed) else {
            throw ConfigValueError("\(text.displayQuoted) is not a size; \(usage)")
        }
        let unit = String(trimmed.dropFirst(number.length)).trimmingSpaces.lowercased()
        let multiplier: Int
        switch unit {
        case "", "b": multiplier = 1
        case "k", "kib": multiplier = kibibyte
        case "m", "mib": multiplier = mebibyte
        case "g", "gib": multiplier = gibibyte
        case "t", "tib": multiplier = tebibyte
        case "kb": multiplier = 1_000
        case "mb": multiplier = 1_000_000
        case "gb": multiplier = 1_000_000_000
        case "tb": multiplier = 1_000_000_000_000
        default: throw ConfigValueError("\(text.displayQuoted) has an unknown unit; \(usage)")
        }
        if multiplier == 1, number.fractionDigits > 0 {
            throw ConfigValueError("size \(text.displayQuoted) is not a whole number of bytes")
        }
        guard let bytes = number.scaled(by: multiplier) else {
            throw ConfigValueError("size \(text.displayQuoted) is too large or has more than \(DecimalNumber.maximumFractionDigits) decimals")
        }
        return bytes
    }

    /// A short form for messages: `32GiB`, `512MiB`, `3.84GiB` (two decimals,
    /// rounded down, when not a whole number of units), `100 bytes`.
    public static func format(_ bytes: Int) -> String {
        let units: [(Int, String)] = [(tebibyte, "TiB"), (gibibyte, "GiB"), (mebibyte, "MiB"), (kibibyte, "KiB")]
        for (size, name) in units where bytes >= size {
            if bytes % size == 0 { return "\(bytes / size)\(name)" }
            let fraction = bytes % size * 100 / size
            return "\(bytes / size).\(fraction < 10 ? "0" : "")\(fraction)\(name)"
        }
        return bytes == 1 ? "1 byte" : "\(bytes) bytes"
    }
}
