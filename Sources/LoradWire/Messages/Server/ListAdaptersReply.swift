/// LIST_ADAPTERS_REPLY: one page of adapters in name order.
///
/// Fields in wire order (PROTOCOL.md): `adapters` list<record AdapterSummary>, `next_after`
/// opt<str>.
public struct ListAdaptersReply: WireCodable, Hashable {
    /// The page.
    public var adapters: [AdapterSummary]
    /// The cursor for the next page; absent on the last page.
    public var nextAfter: String?

    /// Creates the payload from its fields.
    public init(adapters: [AdapterSummary], nextAfter: String? = nil) {
        self.adapters = adapters
        self.nextAfter = nextAfter
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        adapters = try reader.records("adapters", maxCount: WireLimits.maxListEntries, AdapterSummary.self)
        nextAfter = try reader.optional("next_after") { r throws(WireError) in
            try r.string("next_after", maxBytes: WireLimits.maxNameBytes)
        }
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.records(adapters, "adapters", maxCount: WireLimits.maxListEntries)
        try writer.optional(nextAfter) { w, v throws(WireError) in
            try w.string(v, "next_after", maxBytes: WireLimits.maxNameBytes)
        }
    }
}
