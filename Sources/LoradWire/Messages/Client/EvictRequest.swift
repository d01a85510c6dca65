/// EVICT (admin): drops unreferenced cached segments, and optionally an unreferenced base.
///
/// Fields in wire order (PROTOCOL.md): `base` opt<str>.
public struct EvictRequest: WireCodable, Hashable {
    /// Also evict this base's resident segment if no session uses it.
    public var base: String?

    /// Creates the payload from its fields.
    public init(base: String? = nil) {
        self.base = base
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        base = try reader.optional("base") { r throws(WireError) in
            try r.string("base", maxBytes: WireLimits.maxNameBytes)
        }
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.optional(base) { w, v throws(WireError) in try w.string(v, "base", maxBytes: WireLimits.maxNameBytes)
        }
    }
}
