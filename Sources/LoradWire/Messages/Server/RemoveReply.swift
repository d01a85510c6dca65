/// REMOVE_REPLY: the removal is durable.
///
/// Fields in wire order (PROTOCOL.md): `removed_versions` u32.
public struct RemoveReply: WireCodable, Hashable {
    /// How many versions were removed.
    public var removedVersions: UInt32

    /// Creates the payload from its fields.
    public init(removedVersions: UInt32) {
        self.removedVersions = removedVersions
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        removedVersions = try reader.u32("removed_versions")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u32(removedVersions)
    }
}
