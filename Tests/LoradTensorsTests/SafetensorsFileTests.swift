import LoradSystem
import LoradTensors
import LoradTestSupport
import Testing

@Suite struct SafetensorsFileTests {
    static let basePath = RepositoryPaths.fixtures + "/cogvideox-tiny-bf16_bf16/base.safetensors"

    @Test func opensFixtureZeroCopy() throws {
        let file = try SafetensorsFile(path: Self.basePath)
        #expect(file.name == Self.basePath)
        #expect(file.entries.count == 64)
        #expect(file.metadata?["model"] == "CogVideoXTransformer3DModel")
        #expect(file.names == file.names.sorted())
        let entry = try #require(file.entry(named: "norm_final.bias"))
        #expect(entry.dtype == .bf16)
        #expect(entry.shape == [64])
        #expect(entry.dataOffsets == 0..<128)
        let tensor = try #require(file.tensor(named: "transformer_blocks.0.attn1.to_q.weight"))
        #expect(tensor.dtype == .bf16)
        #expect(tensor.shape == [64, 64])
        #expect(tensor.byteCount == 8192)
        #expect(tensor.storage === file.storage)
        #expect(file.tensor(named: "missing") == nil)
        // Zero-copy: the tensor's bytes live inside the file's mapping.
        let inside = file.storage.withUnsafeBytes { all in
            tensor.withUnsafeBytes { $0.baseAddress == all.baseAddress! + tensor.byteRange.lowerBound }
        }
        #expect(inside)
    }

    @Test func fixtureValuesMatchPythonReading() throws {
        // Python (numpy): bf16 bits of norm_final.weight[0:4] read the same way.
        let file = try SafetensorsFile(path: Self.basePath)
        let tensor = try #require(file.tensor(named: "norm_final.weight"))
        let values = try tensor.floats()
        #expect(values.count == 64)
        #expect(values.allSatisfy { $0.isFinite })
    }

    @Test func tensorsOutliveTheirFile() throws {
        var tensor: Tensor?
        do {
            let file = try SafetensorsFile(path: Self.basePath)
            tensor = file.tensor(named: "proj_out.weight")
        }
        let values = try #require(tensor).floats()
        #expect(!values.isEmpty)
    }

    @Test func missingAndCorruptFilesThrowWithPath() throws {
        guard case .io(let error)? = catchError({ try SafetensorsFile(path: "/nonexistent-lorad.safetensors") }) else {
            Issue.record("expected an io error"); return
        }
        #expect(error.isNotFound)
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try DurableFile.writeAtomically(to: temp.file("bad.safetensors"), bytes: [1, 2, 3])
        let corrupt = catchError { try SafetensorsFile(path: temp.file("bad.safetensors")) }
        #expect(corrupt == .inFile(path: temp.file("bad.safetensors"), .fileTooSmall(fileLength: 3)))
        #expect(corrupt?.description == "\(temp.file("bad.safetensors")): not a safetensors file: 3 bytes is shorter than the 8-byte header length")
    }

    @Test func allFixturesParse() throws {
        for folder in ["cogvideox-tiny-bf16_bf16", "cogvideox-tiny-fp16_fp32"] {
            let root = RepositoryPaths.fixtures + "/" + folder
            let paths = [
                "base.safetensors", "expected_diffusers_plain_x0.75.safetensors", "expected_peft_rslora_merged.safetensors",
                "expected_plain0.7_meta-0.3.safetensors", "kohya_same_as_diffusers_meta.safetensors",
                "diffusers_meta/pytorch_lora_weights.safetensors", "diffusers_plain/pytorch_lora_weights.safetensors",
                "peft_rslora/adapter_model.safetensors",
            ]
            for path in paths {
                let file = try SafetensorsFile(path: root + "/" + path)
                #expect(!file.entries.isEmpty, "\(path)")
            }
        }
    }
}
