import LoradWire
import Testing
@testable import loractl

@Suite struct SessionDumpTests {
    @Test func segmentFileNames() {
        let active = [ActiveAdapter(name: "disney", version: 2, weight: 1)]
        #expect(SessionDump.fileName(kind: .base, adapterIndex: nil, active: active) == "base.safetensors")
        #expect(SessionDump.fileName(kind: .overlay, adapterIndex: nil, active: active) == "overlay.safetensors")
        #expect(SessionDump.fileName(kind: .factors, adapterIndex: 0, active: active) == "factors-disney.safetensors")
        #expect(SessionDump.fileName(kind: .factors, adapterIndex: 3, active: active) == "factors-3.safetensors")
    }

    @Test func factorScalesComeFromTheMetadataInOrder() throws {
        let scales = try #require(FactorScales.read(from: ["lorad.scales": #"{"b.to_q":2,"a.to_k":0.5}"#]))
        #expect(scales.map(\.module) == ["b.to_q", "a.to_k"])
        #expect(scales.map(\.scale) == [2, 0.5])
    }

    @Test(arguments: [nil, [:], ["lorad.scales": "[1]"], ["lorad.scales": #"{"m":"x"}"#], ["lorad.scales": "{"]] as [[String: String]?])
    func missingOrMalformedScalesAreNil(metadata: [String: String]?) {
        #expect(FactorScales.read(from: metadata) == nil)
    }
}
