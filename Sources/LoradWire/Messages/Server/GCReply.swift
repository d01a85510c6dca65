/// GC_REPLY: what was (or, in a dry run, would be) deleted.
///
/// Fields in wire order (PROTOCOL.md): `blobs_removed` u32, `bytes_freed` u64.
public struct GCReply: WireCodable, Hashable {
    /// Unreferenced blobs deleted (or found, in a dry run).
    public var blobsRemoved: UInt32
    /// Their total size in bytes.
    public var bytesFreed: UInt64

    /// Creates the payload from its fields.
    public init(blobsRemoved: UInt32, bytesFreed: UInt64) {
        self.blobsRemoved = blobsRemoved
        self.bytesFreed = bytesFreed
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        blobsRemoved = try reader.u32("blobs_removed")
        bytesFreed = try reader.u64("bytes_freed")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u32(blobsRemoved)
        writer.u64(bytesFreed)
    }
}
