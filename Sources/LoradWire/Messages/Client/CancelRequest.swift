/// CANCEL: asks the server to abandon one of this connection's pending requests, which then gets an
/// ERROR `cancelled` reply (or its normal reply if it finished first).
///
/// Fields in wire order (PROTOCOL.md): `target_request_id` u32.
public struct CancelRequest: WireCodable, Hashable {
    /// The request id of the request to cancel.
    public var targetRequestID: UInt32

    /// Creates the payload from its fields.
    public init(targetRequestID: UInt32) {
        self.targetRequestID = targetRequestID
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        targetRequestID = try reader.u32("target_request_id")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u32(targetRequestID)
    }
}
