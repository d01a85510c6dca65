/// One adapter in a LIST_ADAPTERS reply.
///
/// Travels as a record (u16 byte length, then the fields), so newer peers may append fields.
///
/// Fields in wire order (PROTOCOL.md): `name` str, `latest_version` u32, `base` opt<str>, `rank`
/// u32, `stored_bytes` u64, `tags` list<str>.
public struct AdapterSummary: WireCodable, Hashable {
    /// The adapter name.
    public var name: String
    /// Its newest version.
    public var latestVersion: UInt32
    /// The base it was checked against at import, if any.
    public var base: String?
    /// The largest LoRA rank over its modules.
    public var rank: UInt32
    /// Compressed bytes in the store (latest version).
    public var storedBytes: UInt64
    /// Its tags.
    public var tags: [String]

    /// Creates the payload from its fields.
    public init(
        name: String,
        latestVersion: UInt32,
        base: String? = nil,
        rank: UInt32,
        storedBytes: UInt64,
        tags: [String]
    ) {
        self.name = name
        self.latestVersion = latestVersion
        self.base = base
        self.rank = rank
        self.storedBytes = storedBytes
        self.tags = tags
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        name = try reader.string("name", maxBytes: WireLimits.maxNameBytes)
        latestVersion = try reader.u32("latest_version")
        base = try reader.optional("base") { r throws(WireError) in
            try r.string("base", maxBytes: WireLimits.maxNameBytes)
        }
        rank = try reader.u32("rank")
        storedBytes = try reader.u64("stored_bytes")
        tags = try reader.list("tags", maxCount: WireLimits.maxTags) { r throws(WireError) in
            try r.string("tags", maxBytes: WireLimits.maxNameBytes)
        }
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.string(name, "name", maxBytes: WireLimits.maxNameBytes)
        writer.u32(latestVersion)
        try writer.optional(base) { w, v throws(WireError) in try w.string(v, "base", maxBytes: WireLimits.maxNameBytes)
        }
        writer.u32(rank)
        writer.u64(storedBytes)
        try writer.list(tags, "tags", maxCount: WireLimits.maxTags) { w, v throws(WireError) in
            try w.string(v, "tags", maxBytes: WireLimits.maxNameBytes)
        }
    }
}
