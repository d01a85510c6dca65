/// IMPORT: stores an adapter from the files the client passes as descriptors.
///
/// Fields in wire order (PROTOCOL.md): `name` str, `files` list<record ImportFile>, `alpha`
/// opt<f64>, `base` opt<str>, `description` str, `tags` list<str>, `new_version` bool.
public struct ImportRequest: WireCodable, Hashable {
    /// The name to store it under.
    public var name: String
    /// The adapter's files (at least one), each with its base name and a readable descriptor.
    public var files: [ImportFile]
    /// LoRA alpha to use when the files store none (else alpha = rank).
    public var alpha: Double?
    /// The configured base to check it against (tensor names, shapes).
    public var base: String?
    /// Free text; may be empty.
    public var description: String
    /// Tags (names) to file it under.
    public var tags: [String]
    /// When the name exists: `true` stores a new version, `false` fails with `already_exists`.
    public var newVersion: Bool

    /// Creates the payload from its fields.
    public init(
        name: String,
        files: [ImportFile],
        alpha: Double? = nil,
        base: String? = nil,
        description: String,
        tags: [String],
        newVersion: Bool
    ) {
        self.name = name
        self.files = files
        self.alpha = alpha
        self.base = base
        self.description = description
        self.tags = tags
        self.newVersion = newVersion
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        name = try reader.string("name", maxBytes: WireLimits.maxNameBytes)
        files = try reader.records("files", maxCount: WireLimits.maxImportFiles, ImportFile.self)
        alpha = try reader.optional("alpha") { r throws(WireError) in try r.f64("alpha") }
        base = try reader.optional("base") { r throws(WireError) in
            try r.string("base", maxBytes: WireLimits.maxNameBytes)
        }
        description = try reader.string("description", maxBytes: WireLimits.maxDescriptionBytes)
        tags = try reader.list("tags", maxCount: WireLimits.maxTags) { r throws(WireError) in
            try r.string("tags", maxBytes: WireLimits.maxNameBytes)
        }
        newVersion = try reader.bool("new_version")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.string(name, "name", maxBytes: WireLimits.maxNameBytes)
        try writer.records(files, "files", maxCount: WireLimits.maxImportFiles)
        try writer.optional(alpha) { w, v throws(WireError) in w.f64(v) }
        try writer.optional(base) { w, v throws(WireError) in try w.string(v, "base", maxBytes: WireLimits.maxNameBytes)
        }
        try writer.string(description, "description", maxBytes: WireLimits.maxDescriptionBytes)
        try writer.list(tags, "tags", maxCount: WireLimits.maxTags) { w, v throws(WireError) in
            try w.string(v, "tags", maxBytes: WireLimits.maxNameBytes)
        }
        writer.bool(newVersion)
    }
}
