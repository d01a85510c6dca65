import LoradAdapters
import LoradTensors
import LoradTestSupport
import Testing
@testable import LoradStore

@Suite struct AdapterPackTests {
    static var fixtures: String { RepositoryPaths.fixtures + "/cogvideox-tiny-bf16_bf16" }

    @Test(arguments: ["diffusers_plain", "diffusers_meta", "peft_rslora", "kohya_same_as_diffusers_meta.safetensors"])
    func roundTripKeepsModulesScalesAndBytes(name: String) throws {
        let adapter = try AdapterParser.parse(AdapterSource.open(path: Self.fixtures + "/" + name))
        let bytes = try AdapterPack.encode(adapter, level: 1)
        let decoded = try bytes.withUnsafeBytes { try AdapterPack.decode($0, origin: name) }
        #expect(decoded.layout == adapter.layout)
        #expect(decoded.prefix == adapter.prefix)
        #expect(decoded.alphaSource == adapter.alphaSource)
        #expect(decoded.modules.count == adapter.modules.count)
        for (a, b) in zip(adapter.modules, decoded.modules) {
            #expect(a.module == b.module && a.sourceName == b.sourceName)
            #expect(a.alpha == b.alpha && a.rsLoRA == b.rsLoRA && a.scale == b.scale)
            #expect(a.down.dtype == b.down.dtype && a.down.shape == b.down.shape)
            #expect(a.down.withUnsafeBytes { Array($0) } == b.down.withUnsafeBytes { Array($0) })
            #expect(a.up.withUnsafeBytes { Array($0) } == b.up.withUnsafeBytes { Array($0) })
        }
    }

    @Test func diffusersExportKeepsNamesAndScales() throws {
        let adapter = try AdapterParser.parse(AdapterSource.open(path: Self.fixtures + "/diffusers_meta"))
        let bytes = try SafetensorsWriter.serialize(tensors: adapter.diffusersTensors(), metadata: adapter.diffusersMetadata())
        let file = try SafetensorsFile(storage: TensorStorage(copying: bytes), name: "export")
        let original = try SafetensorsFile(path: Self.fixtures + "/diffusers_meta/pytorch_lora_weights.safetensors")
        #expect(file.names == original.names)
        let reparsed = try AdapterParser.parse(AdapterSource(origin: "export", weights: file))
        #expect(reparsed.modules.map(\.scale) == adapter.modules.map(\.scale))
        #expect(reparsed.alphaSource == .file)
    }

    @Test func mixedAlphasSurviveExportThroughPatterns() throws {
        let adapter = try AdapterParser.parse(AdapterSource.open(path: Self.fixtures + "/peft_rslora"))
        let bytes = try SafetensorsWriter.serialize(tensors: adapter.diffusersTensors(), metadata: adapter.diffusersMetadata())
        let file = try SafetensorsFile(storage: TensorStorage(copying: bytes), name: "export")
        let reparsed = try AdapterParser.parse(AdapterSource(origin: "export", weights: file))
        #expect(reparsed.modules.map(\.module) == adapter.modules.map(\.module))
        #expect(reparsed.modules.map(\.scale) == adapter.modules.map(\.scale))
        #expect(reparsed.modules.map(\.rank) == adapter.modules.map(\.rank))
    }

    @Test func aPackWithoutAdapterMetadataIsRefused() throws {
        var writer = PackWriter()
        try writer.addTensor(name: "x", dtype: .f32, shape: [1], bytes: [0, 0, 0, 0])
        let bytes = try writer.encode(level: 1)
        #expect(throws: AdapterError.self) {
            try bytes.withUnsafeBytes { try AdapterPack.decode($0, origin: "x.lorapack") }
        }
    }

    @Test func aPackWithNonFiniteFactorsIsRefusedNamingTheTensor() throws {
        // A pack written before lorad refused non-finite factors: the adapter's first A
        // with element 3 set to a BF16 NaN (modules is settable, which skips the checks).
        var adapter = try AdapterParser.parse(AdapterSource.open(path: Self.fixtures + "/diffusers_plain"))
        var bytes = adapter.modules[0].down.withUnsafeBytes { Array($0) }
        bytes[6] = 0xC0
        bytes[7] = 0x7F
        adapter.modules[0].down = try Tensor(dtype: .bf16, shape: adapter.modules[0].down.shape, bytes: bytes)
        let pack = try AdapterPack.encode(adapter, level: 1)
        let error = #expect(throws: AdapterError.self) {
            try pack.withUnsafeBytes { try AdapterPack.decode($0, origin: "poisoned.lorapack") }
        }
        #expect(error?.description.hasPrefix("\(adapter.modules[0].sourceName).lora_A.weight holds NaN at element 3 (row 0, column 3 of ") == true,
                "\(error?.description ?? "no error")")
    }
}
