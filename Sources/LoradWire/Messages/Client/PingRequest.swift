/// PING: checks that the server is alive; the reply echoes the token.
///
/// Fields in wire order (PROTOCOL.md): `token` u64.
public struct PingRequest: WireCodable, Hashable {
    /// Any value; echoed in the reply.
    public var token: UInt64

    /// Creates the payload from its fields.
    public init(token: UInt64) {
        self.token = token
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        token = try reader.u64("token")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u64(token)
    }
}
