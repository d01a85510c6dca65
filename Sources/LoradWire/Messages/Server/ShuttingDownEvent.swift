/// SHUTTING_DOWN event (request id 0): the server is stopping. Pending requests get `shutting_down`
/// errors; the server closes the connection after the grace time.
///
/// Fields in wire order (PROTOCOL.md): `grace_ms` u32, `reason` str.
public struct ShuttingDownEvent: WireCodable, Hashable {
    /// How long the server keeps the connection open, in milliseconds.
    public var graceMilliseconds: UInt32
    /// Why, for logs (e.g. `SIGTERM`).
    public var reason: String

    /// Creates the payload from its fields.
    public init(graceMilliseconds: UInt32, reason: String) {
        self.graceMilliseconds = graceMilliseconds
        self.reason = reason
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        graceMilliseconds = try reader.u32("grace_ms")
        reason = try reader.string("reason", maxBytes: WireLimits.maxShortTextBytes)
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u32(graceMilliseconds)
        try writer.string(reason, "reason", maxBytes: WireLimits.maxShortTextBytes)
    }
}
