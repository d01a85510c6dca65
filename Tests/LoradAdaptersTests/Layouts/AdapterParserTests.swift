import LoradTensors
import Testing
@testable import LoradAdapters

@Suite struct AdapterParserTests {
    @Test(arguments: Fixtures.sets)
    func diffusersPlainHasRankEightAndScaleOne(set: String) throws {
        let adapter = try AdapterParser.parse(AdapterSource.open(path: Fixtures.path(set, "diffusers_plain")))
        #expect(adapter.layout == .diffusers)
        #expect(adapter.prefix == "transformer")
        #expect(adapter.modules.count == 8)
        #expect(adapter.ranks == [8])
        #expect(adapter.alphaSource == .rank)
        #expect(adapter.modules.allSatisfy { $0.scale == 1 && $0.alpha == 8 })
        #expect(adapter.modules.first?.module == "transformer_blocks.0.attn1.to_k")
        #expect(adapter.targetTensors.contains("transformer_blocks.1.attn1.to_out.0.weight"))
    }

    @Test(arguments: Fixtures.sets)
    func diffusersMetadataGivesAlphaEightOverRankFour(set: String) throws {
        let adapter = try AdapterParser.parse(AdapterSource.open(path: Fixtures.path(set, "diffusers_meta/pytorch_lora_weights.safetensors")))
        #expect(adapter.alphaSource == .file)
        #expect(adapter.ranks == [4])
        #expect(adapter.modules.allSatisfy { $0.alpha == 8 && $0.scale == 2 })
    }

    @Test(arguments: Fixtures.sets)
    func peftHonoursRSLoRAAndPatterns(set: String) throws {
        let adapter = try AdapterParser.parse(AdapterSource.open(path: Fixtures.path(set, "peft_rslora")))
        #expect(adapter.layout == .peft)
        #expect(adapter.modules.count == 8)
        for module in adapter.modules {
            let expectedRank = module.module == "transformer_blocks.0.attn1.to_q" ? 2 : 8
            let expectedAlpha: Double = module.module.hasSuffix("to_v") ? 4 : 16
            #expect(module.rank == expectedRank, "\(module.module)")
            #expect(module.alpha == expectedAlpha, "\(module.module)")
            #expect(module.rsLoRA)
            #expect(module.scale == expectedAlpha / Double(expectedRank).squareRoot())
        }
    }

    @Test(arguments: Fixtures.sets)
    func kohyaImportsToTheSameAdapterAsDiffusersMeta(set: String) throws {
        let base = try SafetensorsModel.open(path: Fixtures.path(set, "base.safetensors")).description(named: "base")
        let kohya = try AdapterParser.parse(AdapterSource.open(path: Fixtures.path(set, "kohya_same_as_diffusers_meta.safetensors")))
            .resolved(against: base)
        let meta = try AdapterParser.parse(AdapterSource.open(path: Fixtures.path(set, "diffusers_meta")))
            .resolved(against: base)
        #expect(kohya.layout == .kohya)
        #expect(kohya.modules.map(\.module) == meta.modules.map(\.module))
        for (k, m) in zip(kohya.modules, meta.modules) {
            #expect(k.scale == m.scale)
            #expect(try doubles(k.down) == doubles(m.down))
            #expect(try doubles(k.up) == doubles(m.up))
        }
    }

    @Test func kohyaNamesAreGuessedWithoutABase() {
        #expect(KohyaLayout.guessModulePath("lora_transformer_transformer_blocks_0_attn1_to_out_0") == "transformer_blocks.0.attn1.to_out.0")
        #expect(KohyaLayout.guessModulePath("lora_transformer_transformer_blocks_12_ff_net_0_proj") == "transformer_blocks.12.ff.net.0.proj")
    }

    @Test func userAlphaOverridesTheFile() throws {
        let adapter = try AdapterParser.parse(
            AdapterSource.open(path: Fixtures.path(Fixtures.sets[0], "diffusers_meta")), alpha: 2)
        #expect(adapter.alphaSource == .user)
        #expect(adapter.modules.allSatisfy { $0.alpha == 2 && $0.scale == 0.5 })
    }

    @Test func pickledCheckpointsAreRefused() throws {
        let dir = try TemporaryFolder()
        try dir.write("pytorch_lora_weights.bin", bytes: [0x80, 0x02])
        #expect(throws: AdapterError.pickled(path: dir.path + "/pytorch_lora_weights.bin")) {
            try AdapterSource.open(path: dir.path)
        }
        #expect(throws: AdapterError.pickled(path: dir.path + "/pytorch_lora_weights.bin")) {
            try AdapterSource.open(path: dir.path + "/pytorch_lora_weights.bin")
        }
    }

    @Test func missingPathIsNotFound() {
        #expect(throws: AdapterError.notFound(path: "/nonexistent/lora")) {
            try AdapterSource.open(path: "/nonexistent/lora")
        }
    }

    @Test func doraIsRefused() throws {
        let error = #expect(throws: AdapterError.self) {
            try parse(tensors: [
                ("transformer.a.lora_A.weight", [2, 4]), ("transformer.a.lora_B.weight", [4, 2]),
                ("transformer.a.lora_magnitude_vector", [4]),
            ])
        }
        #expect(error?.description.hasPrefix("unsupported: DoRA") == true)
    }

    @Test func convolutionFactorsAreRefused() throws {
        let error = #expect(throws: AdapterError.self) {
            try parse(tensors: [("transformer.c.lora_A.weight", [2, 4, 1, 1]), ("transformer.c.lora_B.weight", [4, 2, 1, 1])])
        }
        #expect(error?.description.hasPrefix("unsupported: convolution LoRA") == true)
    }

    @Test func biasIsRefused() throws {
        let error = #expect(throws: AdapterError.self) {
            try parse(tensors: [
                ("transformer.a.lora_A.weight", [2, 4]), ("transformer.a.lora_B.weight", [4, 2]),
                ("transformer.a.lora_B.bias", [4]),
            ])
        }
        #expect(error?.description.hasPrefix("unsupported: LoRA bias") == true)
    }

    @Test func aFactorWithoutPartnerIsNamed() throws {
        #expect(throws: AdapterError.missingPartner(key: "transformer.a.lora_A.weight", expected: "transformer.a.lora_B.weight")) {
            try parse(tensors: [("transformer.a.lora_A.weight", [2, 4])])
        }
    }

    @Test func mismatchedRanksAreRejected() throws {
        #expect(throws: AdapterError.badFactorShapes(module: "transformer.a", down: [2, 4], up: [4, 3])) {
            try parse(tensors: [("transformer.a.lora_A.weight", [2, 4]), ("transformer.a.lora_B.weight", [4, 3])])
        }
    }

    /// Parses an in-memory diffusers-style file of zero-filled F32 tensors.
    private func parse(tensors: [(String, [Int])]) throws -> LoraAdapter {
        let list = try tensors.map { name, shape in
            (name: name, tensor: try Tensor(dtype: .f32, shape: shape, bytes: [UInt8](repeating: 0, count: 4 * shape.reduce(1, *))))
        }
        let bytes = try SafetensorsWriter.serialize(tensors: list, metadata: nil)
        let file = try SafetensorsFile(storage: TensorStorage(copying: bytes), name: "test.safetensors")
        return try AdapterParser.parse(AdapterSource(origin: "test.safetensors", weights: file))
    }
}
