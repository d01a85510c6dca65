/// SWITCH: replaces a session's whole active set atomically.
///
/// Fields in wire order (PROTOCOL.md): `session_id` u64, `adapters` list<record WeightedAdapter>.
public struct SwitchRequest: WireCodable, Hashable {
    /// The session.
    public var sessionID: UInt64
    /// The new ordered set (may be empty: base only); names must be distinct.
    public var adapters: [WeightedAdapter]

    /// Creates the payload from its fields.
    public init(sessionID: UInt64, adapters: [WeightedAdapter]) {
        self.sessionID = sessionID
        self.adapters = adapters
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        sessionID = try reader.u64("session_id")
        adapters = try reader.records("adapters", maxCount: WireLimits.maxActiveAdapters, WeightedAdapter.self)
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u64(sessionID)
        try writer.records(adapters, "adapters", maxCount: WireLimits.maxActiveAdapters)
    }
}
