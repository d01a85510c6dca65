/// One entry of a session's active set as the server resolved it.
///
/// Travels as a record (u16 byte length, then the fields), so newer peers may append fields.
///
/// Fields in wire order (PROTOCOL.md): `name` str, `version` u32, `weight` f64.
public struct ActiveAdapter: WireCodable, Hashable {
    /// The adapter name.
    public var name: String
    /// The resolved version (never "latest").
    public var version: UInt32
    /// The weight the adapter is applied with.
    public var weight: Double

    /// Creates the payload from its fields.
    public init(name: String, version: UInt32, weight: Double) {
        self.name = name
        self.version = version
        self.weight = weight
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        name = try reader.string("name", maxBytes: WireLimits.maxNameBytes)
        version = try reader.u32("version")
        weight = try reader.f64("weight")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.string(name, "name", maxBytes: WireLimits.maxNameBytes)
        writer.u32(version)
        writer.f64(weight)
    }
}
