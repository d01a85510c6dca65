/// OPEN_SESSION: opens a session on one base for this connection.
///
/// Fields in wire order (PROTOCOL.md): `base` str, `mode` u8 (SessionMode).
public struct OpenSessionRequest: WireCodable, Hashable {
    /// The configured base name.
    public var base: String
    /// How adapters are delivered: factor segments or a fused overlay.
    public var mode: SessionMode

    /// Creates the payload from its fields.
    public init(base: String, mode: SessionMode) {
        self.base = base
        self.mode = mode
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        base = try reader.string("base", maxBytes: WireLimits.maxNameBytes)
        mode = try reader.enumeration("mode", SessionMode.self)
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.string(base, "base", maxBytes: WireLimits.maxNameBytes)
        writer.enumeration(mode)
    }
}
