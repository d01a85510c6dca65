/// MERGE: writes base + sum of weighted adapters as a new safetensors file into a descriptor the
/// client passes.
///
/// Fields in wire order (PROTOCOL.md): `base` str, `adapters` list<record WeightedAdapter>,
/// `output` fd.
public struct MergeRequest: WireCodable, Hashable {
    /// The configured base name.
    public var base: String
    /// The adapters and weights to fuse in.
    public var adapters: [WeightedAdapter]
    /// A writable descriptor (file or pipe) for the merged safetensors file.
    public var output: Int32

    /// Creates the payload from its fields.
    public init(base: String, adapters: [WeightedAdapter], output: Int32) {
        self.base = base
        self.adapters = adapters
        self.output = output
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        base = try reader.string("base", maxBytes: WireLimits.maxNameBytes)
        adapters = try reader.records("adapters", maxCount: WireLimits.maxActiveAdapters, WeightedAdapter.self)
        output = try reader.fd("output")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.string(base, "base", maxBytes: WireLimits.maxNameBytes)
        try writer.records(adapters, "adapters", maxCount: WireLimits.maxActiveAdapters)
        try writer.fd(output, "output")
    }
}
