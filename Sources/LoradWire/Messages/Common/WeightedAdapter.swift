/// One entry of a requested active set (SWITCH, MERGE): an adapter and its weight.
///
/// Travels as a record (u16 byte length, then the fields), so newer peers may append fields.
///
/// Fields in wire order (PROTOCOL.md): `adapter` AdapterRef, `weight` f64.
public struct WeightedAdapter: WireCodable, Hashable {
    /// The adapter (name and optional version).
    public var adapter: AdapterRef
    /// The weight w_i the adapter is applied with; must be finite (the server answers
    /// `invalid_argument` otherwise).
    public var weight: Double

    /// Creates the payload from its fields.
    public init(adapter: AdapterRef, weight: Double) {
        self.adapter = adapter
        self.weight = weight
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        adapter = try AdapterRef(from: &reader)
        weight = try reader.f64("weight")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try adapter.encode(to: &writer)
        writer.f64(weight)
    }
}
