/// LIST_ADAPTERS: lists stored adapters in name order, one page at a time.
///
/// Fields in wire order (PROTOCOL.md): `base` opt<str>, `tag` opt<str>, `after` opt<str>, `limit`
/// u16.
public struct ListAdaptersRequest: WireCodable, Hashable {
    /// Only adapters checked against this base.
    public var base: String?
    /// Only adapters with this tag.
    public var tag: String?
    /// Cursor: only names after this one (the previous reply's `next_after`).
    public var after: String?
    /// The most entries wanted; 0 lets the server choose. The server may return fewer (to fit a
    /// frame).
    public var limit: UInt16

    /// Creates the payload from its fields.
    public init(base: String? = nil, tag: String? = nil, after: String? = nil, limit: UInt16) {
        self.base = base
        self.tag = tag
        self.after = after
        self.limit = limit
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        base = try reader.optional("base") { r throws(WireError) in
            try r.string("base", maxBytes: WireLimits.maxNameBytes)
        }
        tag = try reader.optional("tag") { r throws(WireError) in try r.string("tag", maxBytes: WireLimits.maxNameBytes)
        }
        after = try reader.optional("after") { r throws(WireError) in
            try r.string("after", maxBytes: WireLimits.maxNameBytes)
        }
        limit = try reader.u16("limit")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.optional(base) { w, v throws(WireError) in try w.string(v, "base", maxBytes: WireLimits.maxNameBytes)
        }
        try writer.optional(tag) { w, v throws(WireError) in try w.string(v, "tag", maxBytes: WireLimits.maxNameBytes) }
        try writer.optional(after) { w, v throws(WireError) in
            try w.string(v, "after", maxBytes: WireLimits.maxNameBytes)
        }
        writer.u16(limit)
    }
}
