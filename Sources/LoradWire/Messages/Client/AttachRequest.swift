/// ATTACH: adds one adapter to a session's active set (or changes its weight if its name is already
/// there, keeping its position).
///
/// Fields in wire order (PROTOCOL.md): `session_id` u64, `adapter` AdapterRef, `weight` f64.
public struct AttachRequest: WireCodable, Hashable {
    /// The session, from OPEN_SESSION.
    public var sessionID: UInt64
    /// The adapter (latest version when none is given).
    public var adapter: AdapterRef
    /// Its weight; must be finite.
    public var weight: Double

    /// Creates the payload from its fields.
    public init(sessionID: UInt64, adapter: AdapterRef, weight: Double) {
        self.sessionID = sessionID
        self.adapter = adapter
        self.weight = weight
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        sessionID = try reader.u64("session_id")
        adapter = try AdapterRef(from: &reader)
        weight = try reader.f64("weight")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u64(sessionID)
        try adapter.encode(to: &writer)
        writer.f64(weight)
    }
}
