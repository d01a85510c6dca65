/// A payload or record with a fixed field layout in PROTOCOL.md.
///
/// `init(from:)` reads the fields in order and must ignore whatever follows the last field it
/// knows (the reader skips it: that is how newer peers append fields). `encode(to:)` writes
/// the fields in the same order and checks every bound first.
public protocol WireCodable: Sendable {
    /// Reads the fields in layout order; throws `malformed_frame` (or `fd_count_mismatch`)
    /// when the bytes are short, out of bounds or invalid.
    init(from reader: inout PayloadReader) throws(WireError)
    /// Writes the fields in layout order; throws `invalid_argument` when a value is over its
    /// protocol bound (nothing useful is left in the writer then).
    func encode(to writer: inout PayloadWriter) throws(WireError)
}
