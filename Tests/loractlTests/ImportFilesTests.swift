import LoradAdapters
import Testing
@testable import loractl

@Suite struct ImportFilesTests {
    @Test func peftFoldersSendConfigAndWeights() throws {
        let files = try ImportFiles.forFolder("/a", entries: ["README.md", "adapter_model.safetensors", "adapter_config.json"])
        #expect(files.paths == ["/a/adapter_config.json", "/a/adapter_model.safetensors"])
    }

    @Test func diffusersThenSingleFile() throws {
        #expect(try ImportFiles.forFolder("/a/", entries: ["x.safetensors", "pytorch_lora_weights.safetensors"]).paths
            == ["/a/pytorch_lora_weights.safetensors"])
        #expect(try ImportFiles.forFolder("/a", entries: ["only.safetensors", "notes.txt"]).paths == ["/a/only.safetensors"])
    }

    @Test func ambiguousEmptyAndPickledFoldersAreRefused() {
        #expect(throws: AdapterError.self) { try ImportFiles.forFolder("/a", entries: ["x.safetensors", "y.safetensors"]) }
        #expect(throws: AdapterError.pickled(path: "/a/model.bin")) { try ImportFiles.forFolder("/a", entries: ["model.bin"]) }
        #expect(throws: AdapterError.self) { try ImportFiles.forFolder("/a", entries: ["adapter_config.json"]) }
        #expect(throws: AdapterError.self) { try ImportFiles.forFolder("/a", entries: []) }
    }

    @Test func filesBringTheirPeftConfig() throws {
        #expect(try ImportFiles.forFile("d/adapter_model.safetensors", configBeside: true).paths
            == ["d/adapter_config.json", "d/adapter_model.safetensors"])
        #expect(try ImportFiles.forFile("d/adapter_model.safetensors", configBeside: false).paths == ["d/adapter_model.safetensors"])
        #expect(try ImportFiles.forFile("lora.safetensors", configBeside: true).paths == ["lora.safetensors"])
        #expect(throws: AdapterError.self) { try ImportFiles.forFile("x.PT", configBeside: false) }
    }
}
