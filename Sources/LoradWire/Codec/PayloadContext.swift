/// What a payload is, as its error messages name it: a fixed text, or an opcode whose
/// ``Opcode/description`` is looked up only when a message needs it (decoding and encoding
/// every frame would otherwise pay for it).
public enum PayloadContext: Sendable, Hashable, CustomStringConvertible {
    /// A fixed name, e.g. `LIST_ADAPTERS reply`.
    case text(String)
    /// The payload of a frame with this opcode, named like `PING (0x0002)`.
    case opcode(Opcode)

    /// The name used in error messages.
    public var description: String {
        switch self {
        case .text(let text): text
        case .opcode(let opcode): opcode.description
        }
    }
}
