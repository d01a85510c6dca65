@testable import LoradAdapters
import Testing

@Suite struct AdapterFilesTests {
    @Test func choosesPeftThenDiffusersThenTheOnlySafetensors() throws {
        #expect(try AdapterFiles.choose(among: ["README.md", "adapter_model.safetensors", "adapter_config.json"])
            == AdapterFiles(weights: 1, config: 2))
        #expect(try AdapterFiles.choose(among: ["x.safetensors", "pytorch_lora_weights.safetensors"]) == AdapterFiles(weights: 1, config: nil))
        #expect(try AdapterFiles.choose(among: ["notes.txt", "model.bin", "my_lora.safetensors"]) == AdapterFiles(weights: 2, config: nil))
        // The extension is matched in any case, as `PathName.fileExtension` reads it.
        #expect(try AdapterFiles.choose(among: ["LORA.SafeTensors"]) == AdapterFiles(weights: 0, config: nil))
    }

    @Test func saysWhyNoChoiceExists() {
        #expect(throws: AdapterFiles.Problem.configWithoutWeights(pickled: nil)) { try AdapterFiles.choose(among: ["adapter_config.json"]) }
        #expect(throws: AdapterFiles.Problem.configWithoutWeights(pickled: "adapter_model.bin")) {
            try AdapterFiles.choose(among: ["adapter_config.json", "adapter_model.bin"])
        }
        #expect(throws: AdapterFiles.Problem.severalWeights(["a.safetensors", "b.safetensors"])) {
            try AdapterFiles.choose(among: ["a.safetensors", "model.pt", "b.safetensors"])
        }
        #expect(throws: AdapterFiles.Problem.noWeights(pickled: "model.PT")) { try AdapterFiles.choose(among: ["README.md", "model.PT"]) }
        #expect(throws: AdapterFiles.Problem.noWeights(pickled: nil)) { try AdapterFiles.choose(among: []) }
    }

    @Test func problemsBecomeAdapterErrorsForAFolder() {
        #expect(AdapterFiles.Problem.noWeights(pickled: "m.ckpt").adapterError(folder: "/a/", verb: "use") == .pickled(path: "/a/m.ckpt"))
        #expect(AdapterFiles.Problem.configWithoutWeights(pickled: nil).adapterError(folder: "/a", verb: "use")
            == .unrecognised(path: "/a", detail: "adapter_config.json without adapter_model.safetensors"))
        #expect(AdapterFiles.Problem.severalWeights(["x.safetensors", "y.safetensors"]).adapterError(folder: "/a", verb: "import")
            == .unrecognised(path: "/a", detail: "several .safetensors files (x.safetensors, y.safetensors); name the file to import"))
        #expect(AdapterFiles.Problem.noWeights(pickled: nil).adapterError(folder: "/a", verb: "use")
            == .unrecognised(path: "/a", detail: "no .safetensors file in the folder"))
    }
}
