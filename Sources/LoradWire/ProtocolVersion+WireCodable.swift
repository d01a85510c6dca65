extension ProtocolVersion: WireCodable {
    /// Reads `major` u16 then `minor` u16.
    public init(from reader: inout PayloadReader) throws(WireError) {
        self.init(major: try reader.u16("major"), minor: try reader.u16("minor"))
    }

    /// Writes `major` u16 then `minor` u16.
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u16(major)
        writer.u16(minor)
    }
}
