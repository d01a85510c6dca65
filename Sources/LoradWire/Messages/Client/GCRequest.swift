/// GC (admin): deletes blobs no catalog entry references.
///
/// Fields in wire order (PROTOCOL.md): `dry_run` bool.
public struct GCRequest: WireCodable, Hashable {
    /// Only count what would be deleted.
    public var dryRun: Bool

    /// Creates the payload from its fields.
    public init(dryRun: Bool) {
        self.dryRun = dryRun
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        dryRun = try reader.bool("dry_run")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.bool(dryRun)
    }
}
