/// One file of an adapter passed to IMPORT: its base name and the descriptor to read it from.
///
/// Travels as a record (u16 byte length, then the fields), so newer peers may append fields.
///
/// Fields in wire order (PROTOCOL.md): `file_name` str, `fd` fd.
public struct ImportFile: WireCodable, Hashable {
    /// The file's base name as on disk (e.g. `adapter_config.json`, `adapter_model.safetensors`),
    /// which tells the server the layout.
    public var fileName: String
    /// A readable descriptor of the file, positioned anywhere (the server uses pread).
    public var fd: Int32

    /// Creates the payload from its fields.
    public init(fileName: String, fd: Int32) {
        self.fileName = fileName
        self.fd = fd
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        fileName = try reader.string("file_name", maxBytes: WireLimits.maxFileNameBytes)
        fd = try reader.fd("fd")
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.string(fileName, "file_name", maxBytes: WireLimits.maxFileNameBytes)
        try writer.fd(fd, "fd")
    }
}
