import Testing

@testable import LoradStore

@Suite struct AdapterReferenceTests {
    @Test func parsesNameAndVersion() throws {
        let latest = try AdapterReference.parse("disney")
        #expect(latest.name == "disney" && latest.version == nil)
        #expect(latest.description == "disney")
        let third = try AdapterReference.parse("disney-v2.lora_x@3")
        #expect(third.name == "disney-v2.lora_x" && third.version == 3)
        #expect(third.description == "disney-v2.lora_x@3")
        #expect(try AdapterReference.parse("a@2147483647").version == 2_147_483_647)
        #expect(try AdapterReference.parse("0").name == "0")
    }

    @Test(arguments: [
        "", "@3", ".hidden", "-x", "_x", "a b", "a/b", "é", "a\u{0}", String(repeating: "a", count: 129),
    ])
    func rejectsBadNames(text: String) {
        let error = #expect(throws: AdapterReferenceError.self) { try AdapterReference.parse(text) }
        guard case .invalidName = error else {
            Issue.record("expected invalidName for \(text.debugDescription), got \(String(describing: error))")
            return
        }
        #expect(error?.description.hasPrefix("invalid adapter name") == true)
    }

    @Test(arguments: ["a@", "a@b@1", "a@0", "a@-1", "a@+1", "a@01", "a@1.5", "a@x", "a@2147483648", "a@99999999999999999999", "a@ 1"])
    func rejectsBadVersions(text: String) {
        let error = #expect(throws: AdapterReferenceError.self) { try AdapterReference.parse(text) }
        guard case .invalidVersion = error else {
            Issue.record("expected invalidVersion for \(text.debugDescription), got \(String(describing: error))")
            return
        }
    }

    @Test func longestNameIsAccepted() throws {
        let name = String(repeating: "z", count: 128)
        #expect(try AdapterReference.parse(name).name == name)
    }

    @Test func errorsAreOneLineEvenForHostileInput() {
        let error = #expect(throws: AdapterReferenceError.self) { try AdapterReference.parse("bad\nname\u{1b}[31m") }
        let text = error?.description ?? ""
        #expect(!text.contains("\n") && !text.contains("\u{1b}"))
        #expect(text.contains("byte 4"))
    }

    @Test func initValidatesVersion() {
        #expect(throws: AdapterReferenceError.self) { try AdapterReference(name: "a", version: 0) }
        #expect(throws: AdapterReferenceError.self) { try AdapterReference(name: "a b") }
    }
}
