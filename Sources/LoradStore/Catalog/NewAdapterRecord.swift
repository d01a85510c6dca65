import LoradTensors

/// What the importer knows about an adapter before it is stored: everything in an
/// `AdapterRecord` except what the store assigns (version, blob digest, packed
/// size, import time unless given).
public struct NewAdapterRecord: Sendable, Hashable {
    /// The adapter name (`AdapterReference` rules); an existing name gets a new version.
    public var name: String
    /// Free text shown by `list`/`show`; at most `maxDescriptionBytes` UTF-8 bytes, no NUL.
    public var description: String
    /// Tags (`[A-Za-z0-9][A-Za-z0-9._-]{0,63}`, at most `maxTagsOrBases`); duplicates are folded.
    public var tags: [String]
    /// The bases this adapter was checked against (at most `maxTagsOrBases`); may be empty.
    public var bases: [CompatibleBase]
    /// The largest LoRA rank r among the adapter's modules (1...`maxRank`).
    public var rank: Int
    /// The adapter's alpha (finite), or nil when the file stored none (alpha = r).
    public var alpha: Double?
    /// The source layout, e.g. `diffusers`, `peft`, `kohya` (1...64 bytes).
    public var layout: String
    /// The key prefix the source file used (e.g. `transformer.`); may be empty.
    public var prefix: String
    /// The base tensor names (or module names) the adapter touches, in the
    /// importer's order; at most `maxTargets`, each 1...1024 bytes.
    public var targets: [String]
    /// The element types of the adapter's factors; duplicates are folded.
    public var dtypes: [DType]
    /// Bytes of the adapter's tensors before compression (>= 0).
    public var originalBytes: Int
    /// The import time in Unix seconds, or nil for "now" (the catalog's clock).
    public var created: Int64?

    /// The longest description, in UTF-8 bytes.
    public static let maxDescriptionBytes = 4096
    /// The largest rank accepted.
    public static let maxRank = 1 << 20
    /// The most targets accepted.
    public static let maxTargets = 1 << 20
    /// The most tags, and the most bases, accepted.
    public static let maxTagsOrBases = 256

    /// Creates a record; `validate()` checks it (the catalog calls it on insert).
    public init(
        name: String, description: String = "", tags: [String] = [], bases: [CompatibleBase] = [],
        rank: Int, alpha: Double?, layout: String, prefix: String = "", targets: [String],
        dtypes: [DType], originalBytes: Int, created: Int64? = nil
    ) {
        self.name = name
        self.description = description
        self.tags = tags
        self.bases = bases
        self.rank = rank
        self.alpha = alpha
        self.layout = layout
        self.prefix = prefix
        self.targets = targets
        self.dtypes = dtypes
        self.originalBytes = originalBytes
        self.created = created
    }

    /// Checks every field against the limits documented on it.
    ///
    /// - Throws: `CatalogError.invalidName` or `CatalogError.invalidField` naming
    ///   the field, what is wrong and the rule.
    public func validate() throws(CatalogError) {
        do { try AdapterReference.validateName(name) } catch { throw .invalidName(error) }
        try Self.check(text: description, field: "description", range: 0...Self.maxDescriptionBytes)
        guard tags.count <= Self.maxTagsOrBases, bases.count <= Self.maxTagsOrBases else {
            throw .invalidField("tags or bases", "\(tags.count) tags and \(bases.count) bases; the limit is \(Self.maxTagsOrBases) each")
        }
        for tag in tags {
            if let problem = Identifier.problem(with: tag, maxLength: 64) {
                throw .invalidField("tag", "tag \(Identifier.quoted(tag)): \(problem)")
            }
        }
        for base in bases {
            guard BaseFingerprint.isValid(base.fingerprint) else {
                throw .invalidField(
                    "base fingerprint",
                    "\(Identifier.quoted(base.fingerprint)) is not 64 lowercase hex digits (BaseFingerprint.compute)")
            }
            try Self.check(text: base.name, field: "base name", range: 1...4096)
        }
        guard (1...Self.maxRank).contains(rank) else {
            throw .invalidField("rank", "\(rank) is outside 1...\(Self.maxRank)")
        }
        if let alpha, !alpha.isFinite {
            throw .invalidField("alpha", "\(alpha) is not a finite number")
        }
        try Self.check(text: layout, field: "layout", range: 1...64)
        try Self.check(text: prefix, field: "prefix", range: 0...1024)
        guard targets.count <= Self.maxTargets else {
            throw .invalidField("targets", "\(targets.count) targets; the limit is \(Self.maxTargets)")
        }
        for target in targets {
            try Self.check(text: target, field: "target", range: 1...1024)
        }
        guard originalBytes >= 0 else {
            throw .invalidField("original size", "\(originalBytes) bytes is negative")
        }
        if let created, created < 0 {
            throw .invalidField("created", "\(created) is before 1970")
        }
    }

    /// Checks a free-text field's byte length and that it holds no NUL.
    private static func check(text: String, field: String, range: ClosedRange<Int>) throws(CatalogError) {
        let count = text.utf8.count
        guard range.contains(count) else {
            throw .invalidField(field, "\(Identifier.quoted(text)) is \(count) bytes; allowed are \(range.lowerBound)...\(range.upperBound)")
        }
        guard !text.utf8.contains(0) else {
            throw .invalidField(field, "\(Identifier.quoted(text)) holds a NUL byte")
        }
    }
}
