/// REMOVE: deletes one version, or all versions, of an adapter from the catalog.
///
/// Fields in wire order (PROTOCOL.md): `adapter` AdapterRef, `force` bool.
public struct RemoveRequest: WireCodable, Hashable {
    /// The adapter; without a version, every version.
    public var adapter: AdapterRef
    /// Remove even when sessions use it (they keep their mapped segments); otherwise `in_use`.
    public var force: Bool

    /// Creates the payload from its fields.
    public init(adapter: AdapterRef, force: Bool) {
        self.adapter = adapter
        self.force = force
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        adapter = try AdapterRef(from: &reader)
        force = try reader.bool("force")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try adapter.encode(to: &writer)
        writer.bool(force)
    }
}
