/// MERGE_REPLY: the merged file is complete.
///
/// Fields in wire order (PROTOCOL.md): `bytes_written` u64, `tensors_merged` u32.
public struct MergeReply: WireCodable, Hashable {
    /// Bytes written to the output descriptor.
    public var bytesWritten: UInt64
    /// How many base tensors an adapter changed.
    public var tensorsMerged: UInt32

    /// Creates the payload from its fields.
    public init(bytesWritten: UInt64, tensorsMerged: UInt32) {
        self.bytesWritten = bytesWritten
        self.tensorsMerged = tensorsMerged
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        bytesWritten = try reader.u64("bytes_written")
        tensorsMerged = try reader.u32("tensors_merged")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u64(bytesWritten)
        writer.u32(tensorsMerged)
    }
}
