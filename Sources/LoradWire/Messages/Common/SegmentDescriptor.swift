/// A sealed shared-memory segment handed to the client: its kind, identity, size and descriptor.
///
/// Travels as a record (u16 byte length, then the fields), so newer peers may append fields.
///
/// Fields in wire order (PROTOCOL.md): `kind` u8 (SegmentKind), `segment_id` u64, `byte_size` u64,
/// `fd` fd, `adapter_index` opt<u16>.
public struct SegmentDescriptor: WireCodable, Hashable {
    /// What the segment holds.
    public var kind: SegmentKind
    /// Identifies the segment's bytes for the daemon's lifetime: equal ids mean identical bytes, so
    /// a client may keep its existing mapping and close the new descriptor.
    public var segmentID: UInt64
    /// The segment's size in bytes (the length to mmap).
    public var byteSize: UInt64
    /// The sealed memfd, read-only mappable; owned by the receiver once decoded.
    public var fd: Int32
    /// For `factors` segments, the index of the adapter in the reply's `active` list; `nil` for
    /// every other kind.
    public var adapterIndex: UInt16?

    /// Creates the payload from its fields.
    public init(
        kind: SegmentKind,
        segmentID: UInt64,
        byteSize: UInt64,
        fd: Int32,
        adapterIndex: UInt16? = nil
    ) {
        self.kind = kind
        self.segmentID = segmentID
        self.byteSize = byteSize
        self.fd = fd
        self.adapterIndex = adapterIndex
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        kind = try reader.enumeration("kind", SegmentKind.self)
        segmentID = try reader.u64("segment_id")
        byteSize = try reader.u64("byte_size")
        fd = try reader.fd("fd")
        adapterIndex = try reader.optional("adapter_index") { r throws(WireError) in try r.u16("adapter_index") }
        if let problem = adapterIndexProblem { throw reader.malformed("adapter_index", problem) }
    }

    /// What is wrong with `adapterIndex` for `kind`, or `nil`: present exactly for `factors`.
    private var adapterIndexProblem: String? {
        switch (kind, adapterIndex) {
        case (.factors, nil): "a factors segment must name its adapter"
        case (.base, .some), (.overlay, .some): "only factors segments name an adapter"
        default: nil
        }
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        if let problem = adapterIndexProblem { throw writer.invalid("adapter_index", problem) }
        writer.enumeration(kind)
        writer.u64(segmentID)
        writer.u64(byteSize)
        try writer.fd(fd, "fd")
        try writer.optional(adapterIndex) { w, v throws(WireError) in w.u16(v) }
    }
}
