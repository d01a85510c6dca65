import ArgumentParser
import LoradClient
import LoradWire

extension AdapterRef {
    /// Parses a command's `NAME[@VERSION]` argument.
    /// - Throws: `ValidationError` (exit 64) saying what the argument should look like.
    static func argument(_ text: String) throws -> AdapterRef {
        guard let ref = AdapterRef(parsing: text) else { throw ValidationError("'\(text)' is not NAME or NAME@VERSION") }
        return ref
    }
}
