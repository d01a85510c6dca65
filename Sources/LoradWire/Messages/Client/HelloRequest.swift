/// HELLO: the first frame of every connection; offers a range of protocol versions and names the
/// client.
///
/// Fields in wire order (PROTOCOL.md): `min_version` ProtocolVersion, `max_version`
/// ProtocolVersion, `client_name` str.
public struct HelloRequest: WireCodable, Hashable {
    /// The oldest version the client speaks.
    public var minVersion: ProtocolVersion
    /// The newest version the client speaks.
    public var maxVersion: ProtocolVersion
    /// Free-form client software name and version for logs, e.g. `loractl/0.1`.
    public var clientName: String

    /// Creates the payload from its fields.
    public init(minVersion: ProtocolVersion, maxVersion: ProtocolVersion, clientName: String) {
        self.minVersion = minVersion
        self.maxVersion = maxVersion
        self.clientName = clientName
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        minVersion = try ProtocolVersion(from: &reader)
        maxVersion = try ProtocolVersion(from: &reader)
        clientName = try reader.string("client_name", maxBytes: WireLimits.maxSoftwareNameBytes)
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try minVersion.encode(to: &writer)
        try maxVersion.encode(to: &writer)
        try writer.string(clientName, "client_name", maxBytes: WireLimits.maxSoftwareNameBytes)
    }
}
