/// DETACH: removes one adapter from a session's active set.
///
/// Fields in wire order (PROTOCOL.md): `session_id` u64, `name` str.
public struct DetachRequest: WireCodable, Hashable {
    /// The session.
    public var sessionID: UInt64
    /// The adapter name (a set holds one version per name).
    public var name: String

    /// Creates the payload from its fields.
    public init(sessionID: UInt64, name: String) {
        self.sessionID = sessionID
        self.name = name
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        sessionID = try reader.u64("session_id")
        name = try reader.string("name", maxBytes: WireLimits.maxNameBytes)
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u64(sessionID)
        try writer.string(name, "name", maxBytes: WireLimits.maxNameBytes)
    }
}
