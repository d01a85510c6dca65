import LoradWire
import Testing

@testable import LoradDaemon

@Suite struct ImportSelectionTests {
    @Test func peftPairsAreRecognised() throws {
        let selection = try ImportSelection(names: ["README.md", "adapter_model.safetensors", "adapter_config.json"])
        #expect(selection.weights == 1 && selection.config == 2)
    }

    @Test func diffusersAndSingleFiles() throws {
        #expect(try ImportSelection(names: ["x.safetensors", "pytorch_lora_weights.safetensors"]).weights == 1)
        let single = try ImportSelection(names: ["notes.txt", "my_lora.safetensors"])
        #expect(single.weights == 1 && single.config == nil)
    }

    @Test(arguments: [
        [],
        ["../escape.safetensors"],
        ["a/b.safetensors"],
        [".."],
        ["adapter_config.json"],
        ["one.safetensors", "two.safetensors"],
        ["model.bin"],
        ["README.md"],
        [String(repeating: "x", count: 256) + ".safetensors"],
    ])
    func badFileSetsAreInvalidArguments(_ names: [String]) {
        #expect(throws: WireError.self) { _ = try ImportSelection(names: names) }
        do {
            _ = try ImportSelection(names: names)
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(!error.message.isEmpty)
        }
    }
}
