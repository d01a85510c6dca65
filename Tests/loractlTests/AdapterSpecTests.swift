import Testing
@testable import loractl

@Suite struct AdapterSpecTests {
    @Test(arguments: [
        ("dir", "dir", 1.0),
        ("dir:-0.3", "dir", -0.3),
        ("a:b:0.5", "a:b", 0.5),
        ("a:b", "a:b", 1.0),
        ("x:+2", "x", 2.0),
        ("x:.5", "x", 0.5),
        ("x:1.", "x", 1.0),
        ("x:1e3", "x:1e3", 1.0),
        ("x:inf", "x:inf", 1.0),
        ("x:nan", "x:nan", 1.0),
        ("x:", "x:", 1.0),
        ("x:-", "x:-", 1.0),
        ("/models/lora v2:0.75", "/models/lora v2", 0.75),
    ])
    func splitsAtTheLastColonOnlyBeforeAPlainDecimal(argument: String, path: String, weight: Double) throws {
        let spec = try #require(AdapterSpec(argument: argument))
        #expect(spec.path == path)
        #expect(spec.weight == weight)
    }

    @Test func emptyPathsAreRejected() {
        #expect(AdapterSpec(argument: "") == nil)
        #expect(AdapterSpec(argument: ":0.5") == nil)
    }
}
