/// One configured base model in a LIST_BASES reply.
///
/// Travels as a record (u16 byte length, then the fields), so newer peers may append fields.
///
/// Fields in wire order (PROTOCOL.md): `name` str, `state` u8 (BaseState), `byte_size` u64,
/// `tensor_count` u32, and since protocol 1.1 `origin` u8 (BaseOrigin).
public struct BaseInfo: WireCodable, Hashable {
    /// The base name from the configuration.
    public var name: String
    /// Whether its segment is resident.
    public var state: BaseState
    /// The size of its segment in bytes; 0 when not known yet.
    public var byteSize: UInt64
    /// The number of tensors; 0 when not known yet.
    public var tensorCount: UInt32
    /// Where the resident segment came from (protocol 1.1); nil when the record does not
    /// carry the field (a 1.0 peer), and then nothing is written for it.
    public var origin: BaseOrigin?

    /// Creates the payload from its fields.
    public init(name: String, state: BaseState, byteSize: UInt64, tensorCount: UInt32, origin: BaseOrigin? = nil) {
        self.name = name
        self.state = state
        self.byteSize = byteSize
        self.tensorCount = tensorCount
        self.origin = origin
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        name = try reader.string("name", maxBytes: WireLimits.maxNameBytes)
        state = try reader.enumeration("state", BaseState.self)
        byteSize = try reader.u64("byte_size")
        tensorCount = try reader.u32("tensor_count")
        // A trailing field: absent in records written by 1.0 peers.
        origin = reader.bytes.readableBytes > 0 ? try reader.enumeration("origin", BaseOrigin.self) : nil
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.string(name, "name", maxBytes: WireLimits.maxNameBytes)
        writer.enumeration(state)
        writer.u64(byteSize)
        writer.u32(tensorCount)
        if let origin { writer.enumeration(origin) }
    }
}
