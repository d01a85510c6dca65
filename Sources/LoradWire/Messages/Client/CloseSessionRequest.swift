/// CLOSE_SESSION: ends a session and releases its segment references.
///
/// Fields in wire order (PROTOCOL.md): `session_id` u64.
public struct CloseSessionRequest: WireCodable, Hashable {
    /// The session.
    public var sessionID: UInt64

    /// Creates the payload from its fields.
    public init(sessionID: UInt64) {
        self.sessionID = sessionID
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        sessionID = try reader.u64("session_id")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u64(sessionID)
    }
}
