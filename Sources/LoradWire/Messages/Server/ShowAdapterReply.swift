/// SHOW_ADAPTER_REPLY: the catalog entry of one adapter version.
///
/// Fields in wire order (PROTOCOL.md): `name` str, `version` u32, `latest_version` u32, `base`
/// opt<str>, `description` str, `tags` list<str>, `source_format` str, `rank` u32, `alpha` f64,
/// `module_count` u32, `raw_bytes` u64, `stored_bytes` u64, `imported_at` u64, `digest` str.
public struct ShowAdapterReply: WireCodable, Hashable {
    /// The adapter name.
    public var name: String
    /// This version.
    public var version: UInt32
    /// The newest version of the name.
    public var latestVersion: UInt32
    /// The base it was checked against, if any.
    public var base: String?
    /// Its description.
    public var description: String
    /// Its tags.
    public var tags: [String]
    /// The layout it was imported from: `diffusers`, `peft` or `kohya`.
    public var sourceFormat: String
    /// The largest LoRA rank over its modules.
    public var rank: UInt32
    /// The LoRA alpha in effect (alpha = rank when the files stored none and none was given).
    public var alpha: Double
    /// The number of adapted modules.
    public var moduleCount: UInt32
    /// Uncompressed tensor bytes.
    public var rawBytes: UInt64
    /// Compressed bytes in the store.
    public var storedBytes: UInt64
    /// Import time, seconds since the Unix epoch (UTC).
    public var importedAt: UInt64
    /// SHA-256 of the pack, lower-case hex.
    public var digest: String

    /// Creates the payload from its fields.
    public init(
        name: String,
        version: UInt32,
        latestVersion: UInt32,
        base: String? = nil,
        description: String,
        tags: [String],
        sourceFormat: String,
        rank: UInt32,
        alpha: Double,
        moduleCount: UInt32,
        rawBytes: UInt64,
        storedBytes: UInt64,
        importedAt: UInt64,
        digest: String
    ) {
        self.name = name
        self.version = version
        self.latestVersion = latestVersion
        self.base = base
        self.description = description
        self.tags = tags
        self.sourceFormat = sourceFormat
        self.rank = rank
        self.alpha = alpha
        self.moduleCount = moduleCount
        self.rawBytes = rawBytes
        self.storedBytes = storedBytes
        self.importedAt = importedAt
        self.digest = digest
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        name = try reader.string("name", maxBytes: WireLimits.maxNameBytes)
        version = try reader.u32("version")
        latestVersion = try reader.u32("latest_version")
        base = try reader.optional("base") { r throws(WireError) in
            try r.string("base", maxBytes: WireLimits.maxNameBytes)
        }
        description = try reader.string("description", maxBytes: WireLimits.maxDescriptionBytes)
        tags = try reader.list("tags", maxCount: WireLimits.maxTags) { r throws(WireError) in
            try r.string("tags", maxBytes: WireLimits.maxNameBytes)
        }
        sourceFormat = try reader.string("source_format", maxBytes: WireLimits.maxLabelBytes)
        rank = try reader.u32("rank")
        alpha = try reader.f64("alpha")
        moduleCount = try reader.u32("module_count")
        rawBytes = try reader.u64("raw_bytes")
        storedBytes = try reader.u64("stored_bytes")
        importedAt = try reader.u64("imported_at")
        digest = try reader.string("digest", maxBytes: WireLimits.maxDigestBytes)
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.string(name, "name", maxBytes: WireLimits.maxNameBytes)
        writer.u32(version)
        writer.u32(latestVersion)
        try writer.optional(base) { w, v throws(WireError) in try w.string(v, "base", maxBytes: WireLimits.maxNameBytes)
        }
        try writer.string(description, "description", maxBytes: WireLimits.maxDescriptionBytes)
        try writer.list(tags, "tags", maxCount: WireLimits.maxTags) { w, v throws(WireError) in
            try w.string(v, "tags", maxBytes: WireLimits.maxNameBytes)
        }
        try writer.string(sourceFormat, "source_format", maxBytes: WireLimits.maxLabelBytes)
        writer.u32(rank)
        writer.f64(alpha)
        writer.u32(moduleCount)
        writer.u64(rawBytes)
        writer.u64(storedBytes)
        writer.u64(importedAt)
        try writer.string(digest, "digest", maxBytes: WireLimits.maxDigestBytes)
    }
}
