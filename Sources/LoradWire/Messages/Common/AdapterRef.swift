/// An adapter named on the wire: its name and, optionally, one version (absent means the latest).
///
/// Fields in wire order (PROTOCOL.md): `name` str, `version` opt<u32>.
public struct AdapterRef: WireCodable, Hashable {
    /// The adapter name (grammar of `WireName`).
    public var name: String
    /// The version, from 1; `nil` means the latest version.
    public var version: UInt32?

    /// Creates the payload from its fields.
    public init(name: String, version: UInt32? = nil) {
        self.name = name
        self.version = version
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        name = try reader.string("name", maxBytes: WireLimits.maxNameBytes)
        version = try reader.optional("version") { r throws(WireError) in try r.u32("version") }
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.string(name, "name", maxBytes: WireLimits.maxNameBytes)
        try writer.optional(version) { w, v throws(WireError) in w.u32(v) }
    }
}
