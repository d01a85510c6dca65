/// SHOW_ADAPTER: the details of one adapter version.
///
/// Fields in wire order (PROTOCOL.md): `adapter` AdapterRef.
public struct ShowAdapterRequest: WireCodable, Hashable {
    /// The adapter (latest version when none is given).
    public var adapter: AdapterRef

    /// Creates the payload from its fields.
    public init(adapter: AdapterRef) {
        self.adapter = adapter
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        adapter = try AdapterRef(from: &reader)
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try adapter.encode(to: &writer)
    }
}
