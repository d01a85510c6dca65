/// VERIFY (admin): re-checks stored packs and blobs against their checksums.
///
/// Fields in wire order (PROTOCOL.md): `adapter` opt<str>.
public struct VerifyRequest: WireCodable, Hashable {
    /// Only this adapter's versions; the whole store when absent.
    public var adapter: String?

    /// Creates the payload from its fields.
    public init(adapter: String? = nil) {
        self.adapter = adapter
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        adapter = try reader.optional("adapter") { r throws(WireError) in
            try r.string("adapter", maxBytes: WireLimits.maxNameBytes)
        }
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.optional(adapter) { w, v throws(WireError) in
            try w.string(v, "adapter", maxBytes: WireLimits.maxNameBytes)
        }
    }
}
