/// EXPORT_REPLY: the export is complete.
///
/// Fields in wire order (PROTOCOL.md): `bytes_written` u64.
public struct ExportReply: WireCodable, Hashable {
    /// Bytes written to the output descriptor.
    public var bytesWritten: UInt64

    /// Creates the payload from its fields.
    public init(bytesWritten: UInt64) {
        self.bytesWritten = bytesWritten
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        bytesWritten = try reader.u64("bytes_written")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u64(bytesWritten)
    }
}
