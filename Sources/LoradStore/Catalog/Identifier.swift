/// The identifier rule shared by adapter names and tags.
enum Identifier {
    /// Nil when `text` matches `[A-Za-z0-9][A-Za-z0-9._-]{0,maxLength-1}`, else why not.
    static func problem(with text: String, maxLength: Int) -> String? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first else {
            return "it is empty; use letters, digits, '.', '_' and '-'"
        }
        guard bytes.count <= maxLength else {
            return "it is \(bytes.count) bytes long; the limit is \(maxLength)"
        }
        guard isAlphanumeric(first) else {
            return "it must start with a letter or a digit"
        }
        for (offset, byte) in bytes.enumerated().dropFirst()
        where !(isAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")) {
            return "byte \(offset + 1) is not allowed; use only ASCII letters, digits, '.', '_' and '-'"
        }
        return nil
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// `text` in double quotes, with control characters escaped and cut to 80 characters,
    /// so a hostile value cannot break a one-line message.
    static func quoted(_ text: String) -> String {
        let shown = text.prefix(80).unicodeScalars.map { scalar in
            scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\"" ? scalar.escaped(asASCII: true) : String(scalar)
        }.joined()
        return "\"\(shown)\(text.count > 80 ? "..." : "")\""
    }
}
