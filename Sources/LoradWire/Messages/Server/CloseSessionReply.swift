/// CLOSE_SESSION_REPLY: the session is gone. No fields.
///
/// Fields in wire order (PROTOCOL.md): none.
public struct CloseSessionReply: WireCodable, Hashable {
    /// Creates the (empty) payload.
    public init() {}

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {}

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {}
}
