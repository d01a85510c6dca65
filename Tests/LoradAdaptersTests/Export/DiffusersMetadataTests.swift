import Foundation
import LoradTensors
import Testing
@testable import LoradAdapters

/// The `lora_adapter_metadata` lorad writes (unpack, factors segments) as PEFT reads it.
@Suite struct DiffusersMetadataTests {
    /// `<prefix>.target_modules` of an adapter's diffusers metadata.
    private func targetModules(_ adapter: LoraAdapter) throws -> [String] {
        let json = try #require(adapter.diffusersMetadata()[DiffusersLayout.metadataKey])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return try #require(object[adapter.prefix + ".target_modules"] as? [String])
    }

    /// PEFT's rule for a list of target_modules: a module is wrapped when its path is a
    /// target or ends with "." + a target.
    private func peftWraps(_ module: String, targets: [String]) -> Bool {
        targets.contains { module == $0 || module.hasSuffix("." + $0) }
    }

    private func zeros(_ shape: [Int]) throws -> Tensor {
        try Tensor(dtype: .f32, shape: shape, bytes: [UInt8](repeating: 0, count: 4 * shape.reduce(1, *)))
    }

    @Test(arguments: Fixtures.sets)
    func targetModulesAreTheFullModulePaths(set: String) throws {
        let adapter = try AdapterParser.parse(AdapterSource.open(path: Fixtures.path(set, "diffusers_meta")))
        let targets = try targetModules(adapter)
        #expect(targets == adapter.modules.map(\.module).sorted())
        #expect(targets.contains("transformer_blocks.0.attn1.to_out.0"))
        #expect(!targets.contains("to_q"))
    }

    /// Issue 8: `ff.net.0.proj` used to be written as `proj`, which made PEFT also wrap
    /// CogVideoX's `patch_embed.proj`, a module the adapter does not touch.
    @Test func onlyTheAdaptersModulesMatchInPEFT() throws {
        let modules = try ["transformer_blocks.0.ff.net.0.proj", "transformer_blocks.0.attn1.to_out.0"].map {
            try LoraModule(module: $0, sourceName: "transformer." + $0, down: zeros([2, 8]), up: zeros([8, 2]),
                           alpha: 2, rsLoRA: false)
        }
        let adapter = try LoraAdapter(layout: .diffusers, prefix: "transformer", modules: modules, alphaSource: .file)
        let targets = try targetModules(adapter)
        #expect(targets == ["transformer_blocks.0.attn1.to_out.0", "transformer_blocks.0.ff.net.0.proj"])
        for module in adapter.modules { #expect(peftWraps(module.module, targets: targets)) }
        for other in ["patch_embed.proj", "transformer_blocks.1.ff.net.0.proj", "transformer_blocks.0.attn1.to_out.1"] {
            #expect(!peftWraps(other, targets: targets), "\(other)")
        }
    }
}
