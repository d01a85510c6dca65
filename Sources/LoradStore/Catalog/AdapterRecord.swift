import LoradTensors

/// One stored adapter version, as the catalog holds it.
public struct AdapterRecord: Sendable, Hashable {
    /// The adapter's name.
    public var name: String
    /// The version, 1 for the first import of a name.
    public var version: Int
    /// Free text.
    public var description: String
    /// Import time, Unix seconds.
    public var created: Int64
    /// Tags, sorted and unique.
    public var tags: [String]
    /// Bases the adapter was checked against, sorted by fingerprint.
    public var bases: [CompatibleBase]
    /// The largest LoRA rank among the modules.
    public var rank: Int
    /// Alpha, or nil when the source stored none (alpha = r).
    public var alpha: Double?
    /// The source layout (`diffusers`, `peft`, `kohya` ...).
    public var layout: String
    /// The key prefix of the source file.
    public var prefix: String
    /// The targets, in import order.
    public var targets: [String]
    /// The factor element types, sorted by their safetensors spelling, unique.
    public var dtypes: [DType]
    /// Bytes before compression.
    public var originalBytes: Int
    /// Bytes of the pack blob.
    public var packedBytes: Int
    /// The SHA-256 of the pack blob: its name in the blob store.
    public var blob: BlobDigest

    /// `name@version`.
    public var reference: AdapterReference { AdapterReference(validatedName: name, version: version) }
}
