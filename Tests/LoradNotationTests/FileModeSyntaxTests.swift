import Testing

@testable import LoradNotation

@Suite struct FileModeSyntaxTests {
    @Test func parses() throws {
        #expect(try FileModeSyntax.parse("0660") == 0o660)
        #expect(try FileModeSyntax.parse("660") == 0o660)
        #expect(try FileModeSyntax.parse("0o600") == 0o600)
        #expect(try FileModeSyntax.parse("0777") == 0o777)
        #expect(try FileModeSyntax.parse("0") == 0)
    }

    @Test func rejects() {
        #expect(throws: ConfigValueError("\"0868\" is not an octal mode; write it like \"0660\"")) { try FileModeSyntax.parse("0868") }
        #expect(throws: ConfigValueError("\"rw-rw----\" is not an octal mode; write it like \"0660\"")) { try FileModeSyntax.parse("rw-rw----") }
        #expect(throws: ConfigValueError("\"\" is not an octal mode; write it like \"0660\"")) { try FileModeSyntax.parse("") }
        #expect(throws: ConfigValueError("\"006600\" is not an octal mode; write it like \"0660\"")) { try FileModeSyntax.parse("006600") }
        #expect(throws: ConfigValueError("mode 1777 has bits above 0777; only read/write/execute bits apply to a socket (for example 0660)")) {
            try FileModeSyntax.parse("1777")
        }
    }

    @Test func formats() {
        #expect(FileModeSyntax.format(0o660) == "0660")
        #expect(FileModeSyntax.format(0o7) == "0007")
        #expect(FileModeSyntax.format(0) == "0000")
    }
}
