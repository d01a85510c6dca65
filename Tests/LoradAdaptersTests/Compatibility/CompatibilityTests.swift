import LoradTensors
import Testing
@testable import LoradAdapters

@Suite struct CompatibilityTests {
    let set = Fixtures.sets[0]

    func base(replacing name: String? = nil, with shape: [Int] = []) throws -> BaseShapes {
        var description = try SafetensorsModel.open(path: Fixtures.path(set, "base.safetensors")).description(named: "tiny")
        if let name { description.shapes[name] = (.bf16, shape) }
        return description
    }

    @Test func aCompatibleAdapterResolves() throws {
        let adapter = try AdapterParser.parse(AdapterSource.open(path: Fixtures.path(set, "diffusers_plain")))
        let resolved = try adapter.resolved(against: base())
        #expect(resolved.modules.count == 8)
    }

    @Test func theFirstBadTensorIsNamedWithBothShapes() throws {
        let adapter = try AdapterParser.parse(AdapterSource.open(path: Fixtures.path(set, "diffusers_plain")))
        let broken = try base(replacing: "transformer_blocks.1.attn1.to_q.weight", with: [64, 32])
        #expect(throws: AdapterError.shapeMismatch(tensor: "transformer_blocks.1.attn1.to_q.weight", base: [64, 32], down: [8, 64], up: [64, 8])) {
            try adapter.resolved(against: broken)
        }
    }

    @Test func modulesWithoutABaseTensorAreListed() throws {
        let adapter = try AdapterParser.parse(AdapterSource.open(path: Fixtures.path(set, "diffusers_plain")))
        var description = try base()
        description.shapes["transformer_blocks.0.attn1.to_q.weight"] = nil
        description.shapes["transformer_blocks.1.attn1.to_k.weight"] = nil
        let error = #expect(throws: AdapterError.self) { try adapter.resolved(against: description) }
        guard case .unmappedModules(let modules, let name)? = error else {
            Issue.record("expected unmappedModules, got \(String(describing: error))")
            return
        }
        #expect(name == "tiny")
        #expect(modules == ["transformer.transformer_blocks.0.attn1.to_q", "transformer.transformer_blocks.1.attn1.to_k"])
        #expect(error?.description.contains("match no tensor of base tiny") == true)
    }

    @Test func aConvolutionTargetIsUnsupported() throws {
        let adapter = try AdapterParser.parse(AdapterSource.open(path: Fixtures.path(set, "diffusers_plain")))
        let conv = try base(replacing: "transformer_blocks.0.attn1.to_k.weight", with: [64, 64, 1, 1])
        let error = #expect(throws: AdapterError.self) { try adapter.resolved(against: conv) }
        #expect(error?.description.hasPrefix("unsupported: convolution LoRA") == true)
    }
}
