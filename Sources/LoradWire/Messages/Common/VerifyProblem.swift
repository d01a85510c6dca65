/// One problem found by VERIFY.
///
/// Travels as a record (u16 byte length, then the fields), so newer peers may append fields.
///
/// Fields in wire order (PROTOCOL.md): `subject` str, `message` str.
public struct VerifyProblem: WireCodable, Hashable {
    /// What is damaged, e.g. `disney@2` or a blob digest.
    public var subject: String
    /// What is wrong with it.
    public var message: String

    /// Creates the payload from its fields.
    public init(subject: String, message: String) {
        self.subject = subject
        self.message = message
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        subject = try reader.string("subject", maxBytes: WireLimits.maxShortTextBytes)
        message = try reader.string("message", maxBytes: WireLimits.maxMessageBytes)
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        try writer.string(subject, "subject", maxBytes: WireLimits.maxShortTextBytes)
        try writer.string(message, "message", maxBytes: WireLimits.maxMessageBytes)
    }
}
