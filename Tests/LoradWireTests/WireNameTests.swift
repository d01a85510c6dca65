import Testing

@testable import LoradWire

@Suite struct WireNameTests {
    @Test(arguments: ["a", "disney", "cogvideox-5b", "v1.2_final", "0", String(repeating: "x", count: 128)])
    func acceptsTheGrammar(name: String) {
        #expect(WireName.isValid(name))
    }

    @Test(arguments: ["", "-a", ".hidden", "_x", "a b", "a/b", "é", "a\u{0}", String(repeating: "x", count: 129)])
    func refusesEverythingElse(name: String) {
        #expect(!WireName.isValid(name))
        let error = caught { () throws(WireError) in try WireName.validate(name, field: "adapter name") }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("adapter name") == true)
    }
}
