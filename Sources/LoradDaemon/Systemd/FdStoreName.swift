import LoradWire

/// The `FDNAME=`s lorad gives its entries in systemd's file descriptor store, and their
/// parsing when systemd passes them back (pure).
///
/// Each resident base has two entries: its segment, `lorad.base.<name>`, and a small
/// record of the file it was built from, `lorad.record.<name>` (``FdStoreRecord``). Base
/// names match `[A-Za-z0-9][A-Za-z0-9._-]{0,127}`, so both names are printable ASCII
/// without `:` and at most 141 bytes, within systemd's 255.
public enum FdStoreName: Sendable, Hashable {
    /// The base segment of base `name`.
    case segment(base: String)
    /// The source record of base `name`.
    case record(base: String)

    /// The prefix of segment entries.
    public static let segmentPrefix = "lorad.base."
    /// The prefix of record entries.
    public static let recordPrefix = "lorad.record."

    /// The `FDNAME=` value.
    public var fdName: String {
        switch self {
        case .segment(let base): Self.segmentPrefix + base
        case .record(let base): Self.recordPrefix + base
        }
    }

    /// The base this entry belongs to.
    public var base: String {
        switch self {
        case .segment(let base), .record(let base): base
        }
    }

    /// Parses an `FDNAME=` value; nil for a name lorad did not make (another prefix, or a
    /// base name outside the grammar).
    public init?(fdName: String) {
        if fdName.hasPrefix(Self.segmentPrefix) {
            let base = String(fdName.dropFirst(Self.segmentPrefix.count))
            guard WireName.isValid(base) else { return nil }
            self = .segment(base: base)
        } else if fdName.hasPrefix(Self.recordPrefix) {
            let base = String(fdName.dropFirst(Self.recordPrefix.count))
            guard WireName.isValid(base) else { return nil }
            self = .record(base: base)
        } else {
            return nil
        }
    }
}
