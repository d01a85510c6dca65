/// The grammar of adapter, base and tag names: `[A-Za-z0-9][A-Za-z0-9._-]{0,127}`.
///
/// The codec does not enforce it while decoding (a bad name is the server's
/// `invalid_argument`, not a broken frame); clients call `validate` before sending and the
/// server calls it before using a name.
public enum WireName {
    /// Whether `name` is 1 to 128 ASCII characters, the first a letter or digit and the rest
    /// letters, digits, `.`, `_` or `-`.
    public static func isValid(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard let first = utf8.first, utf8.count <= WireLimits.maxNameBytes, isAlphanumeric(first) else {
            return false
        }
        return utf8.dropFirst().allSatisfy { isAlphanumeric($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// Throws `invalid_argument` naming `field` when `name` breaks the grammar, with a message
    /// saying what a valid name looks like.
    public static func validate(_ name: String, field: String) throws(WireError) {
        guard isValid(name) else {
            let shown = name.utf8.count > 40 ? String(name.prefix(40)) + "..." : name
            throw WireError(
                .invalidArgument,
                "\(field) \"\(shown)\" is not a valid name: use 1 to 128 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit"
            )
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
