/// LIST_BASES_REPLY: every configured base.
///
/// Fields in wire order (PROTOCOL.md): `bases` list<record BaseInfo>.
public struct ListBasesReply: WireCodable, Hashable {
    /// The bases, in configuration order.
    public var bases: [BaseInfo]

    /// Creates the payload from its fields.
    public init(bases: [BaseInfo]) {
        self.bases = bases
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        bases = try reader.records("bases", maxCount: WireLimits.maxListEntries, BaseInfo.self)
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.records(bases, "bases", maxCount: WireLimits.maxListEntries)
    }
}
