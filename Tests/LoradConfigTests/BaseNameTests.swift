import LoradNotation
import Testing

@testable import LoradConfig

/// Base names follow the protocol's name grammar (`WireName`).
@Suite struct BaseNameTests {
    @Test func valid() throws {
        for name in ["a", "Z", "7", "cogvideox-5b", "cogvideox-1.5", "disney_v2.safe", String(repeating: "x", count: 128)] {
            #expect(throws: Never.self, "\(name)") { try ConfigRules.baseName(name) }
        }
    }

    @Test func invalid() {
        for name in ["", "-a", ".hidden", "_x", "a b", "a/b", "é", "a\u{0}", String(repeating: "x", count: 129), "a:b"] {
            #expect(throws: ConfigValueError.self, "\(name.debugDescription)") { try ConfigRules.baseName(name) }
        }
    }

    @Test func message() {
        #expect(throws: ConfigValueError(
            "base name \"a b\" is not valid: use 1 to 128 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit")
        ) { try ConfigRules.baseName("a b") }
    }
}
