/// EXPORT: writes an adapter version as one safetensors file into a descriptor the client passes.
///
/// Fields in wire order (PROTOCOL.md): `adapter` AdapterRef, `output` fd.
public struct ExportRequest: WireCodable, Hashable {
    /// The adapter (latest version when none is given).
    public var adapter: AdapterRef
    /// A writable descriptor (file or pipe); the server writes from its current position and closes
    /// its own copy.
    public var output: Int32

    /// Creates the payload from its fields.
    public init(adapter: AdapterRef, output: Int32) {
        self.adapter = adapter
        self.output = output
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        adapter = try AdapterRef(from: &reader)
        output = try reader.fd("output")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try adapter.encode(to: &writer)
        try writer.fd(output, "output")
    }
}
