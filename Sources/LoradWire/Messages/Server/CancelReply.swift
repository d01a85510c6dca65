/// CANCEL_REPLY: whether the target was still pending.
///
/// Fields in wire order (PROTOCOL.md): `was_pending` bool.
public struct CancelReply: WireCodable, Hashable {
    /// `true` when the target was pending and now gets a `cancelled` error; `false` when it had
    /// already been answered or never existed.
    public var wasPending: Bool

    /// Creates the payload from its fields.
    public init(wasPending: Bool) {
        self.wasPending = wasPending
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        wasPending = try reader.bool("was_pending")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.bool(wasPending)
    }
}
