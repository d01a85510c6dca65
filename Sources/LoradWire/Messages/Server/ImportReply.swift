/// IMPORT_REPLY: what was stored.
///
/// Fields in wire order (PROTOCOL.md): `name` str, `version` u32, `source_format` str, `rank` u32,
/// `alpha` f64, `module_count` u32, `raw_bytes` u64, `stored_bytes` u64.
public struct ImportReply: WireCodable, Hashable {
    /// The adapter name.
    public var name: String
    /// The version created.
    public var version: UInt32
    /// The layout recognised: `diffusers`, `peft` or `kohya`.
    public var sourceFormat: String
    /// The largest LoRA rank over its modules.
    public var rank: UInt32
    /// The LoRA alpha in effect.
    public var alpha: Double
    /// The number of adapted modules.
    public var moduleCount: UInt32
    /// Uncompressed tensor bytes.
    public var rawBytes: UInt64
    /// Compressed bytes in the store.
    public var storedBytes: UInt64

    /// Creates the payload from its fields.
    public init(
        name: String,
        version: UInt32,
        sourceFormat: String,
        rank: UInt32,
        alpha: Double,
        moduleCount: UInt32,
        rawBytes: UInt64,
        storedBytes: UInt64
    ) {
        self.name = name
        self.version = version
        self.sourceFormat = sourceFormat
        self.rank = rank
        self.alpha = alpha
        self.moduleCount = moduleCount
        self.rawBytes = rawBytes
        self.storedBytes = storedBytes
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        name = try reader.string("name", maxBytes: WireLimits.maxNameBytes)
        version = try reader.u32("version")
        sourceFormat = try reader.string("source_format", maxBytes: WireLimits.maxLabelBytes)
        rank = try reader.u32("rank")
        alpha = try reader.f64("alpha")
        moduleCount = try reader.u32("module_count")
        rawBytes = try reader.u64("raw_bytes")
        storedBytes = try reader.u64("stored_bytes")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.string(name, "name", maxBytes: WireLimits.maxNameBytes)
        writer.u32(version)
        try writer.string(sourceFormat, "source_format", maxBytes: WireLimits.maxLabelBytes)
        writer.u32(rank)
        writer.f64(alpha)
        writer.u32(moduleCount)
        writer.u64(rawBytes)
        writer.u64(storedBytes)
    }
}
