/// EVICT_REPLY: what was freed.
///
/// Fields in wire order (PROTOCOL.md): `segments_evicted` u32, `bytes_freed` u64.
public struct EvictReply: WireCodable, Hashable {
    /// Segments dropped.
    public var segmentsEvicted: UInt32
    /// Their total size in bytes.
    public var bytesFreed: UInt64

    /// Creates the payload from its fields.
    public init(segmentsEvicted: UInt32, bytesFreed: UInt64) {
        self.segmentsEvicted = segmentsEvicted
        self.bytesFreed = bytesFreed
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        segmentsEvicted = try reader.u32("segments_evicted")
        bytesFreed = try reader.u64("bytes_freed")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u32(segmentsEvicted)
        writer.u64(bytesFreed)
    }
}
