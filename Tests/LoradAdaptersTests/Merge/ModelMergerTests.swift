import LoradTensors
import Testing
@testable import LoradAdapters

/// Reproduces every `expected_*` file made by diffusers and PEFT, and checks each
/// fused element against the exact value computed here in float64.
@Suite struct ModelMergerTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var set: String
        var expected: String
        var adapters: [(String, Double)]
        var testDescription: String { "\(set)/\(expected)" }
    }

    static let cases: [Case] = Fixtures.sets.flatMap { set in
        [
            Case(set: set, expected: "expected_diffusers_plain_x0.75.safetensors", adapters: [("diffusers_plain", 0.75)]),
            Case(set: set, expected: "expected_plain0.7_meta-0.3.safetensors", adapters: [("diffusers_plain", 0.7), ("diffusers_meta", -0.3)]),
            Case(set: set, expected: "expected_peft_rslora_merged.safetensors", adapters: [("peft_rslora", 1.0)]),
        ]
    }

    @Test(arguments: cases)
    func reproducesTheLibraryResult(_ c: Case) throws {
        let folder = try TemporaryFolder()
        let base = try SafetensorsModel.open(path: Fixtures.path(c.set, "base.safetensors"))
        let weighted = try c.adapters.map { name, weight in
            WeightedAdapter(adapter: try AdapterParser.parse(AdapterSource.open(path: Fixtures.path(c.set, name))), weight: weight)
        }
        let output = folder.path + "/merged.safetensors"
        try ModelMerger.merge(base: base, baseName: "base", adapters: weighted, to: output)

        let merged = try SafetensorsModel.open(path: output)
        let expected = try SafetensorsModel.open(path: Fixtures.path(c.set, c.expected))
        #expect(merged.names == base.names)
        #expect(merged.metadata == base.metadata)
        let resolved = try weighted.map {
            WeightedAdapter(adapter: try $0.adapter.resolved(against: base.description(named: "base")), weight: $0.weight)
        }
        var touched = 0
        for name in base.names {
            let original = try #require(base.tensor(named: name))
            let ours = try #require(merged.tensor(named: name))
            let theirs = try #require(expected.tensor(named: name))
            #expect(ours.dtype == original.dtype && ours.shape == original.shape)
            let terms = TensorFusion.modules(touching: name, in: resolved)
            if terms.isEmpty {
                #expect(bytes(ours) == bytes(original), "\(name) must be copied unchanged")
                continue
            }
            touched += 1
            let exact = try exactFusion(original, terms)
            let mine = try doubles(ours)
            let library = try doubles(theirs)
            let bound = ours.dtype == .f32 ? 2.0 : 0.52
            for i in exact.indices {
                let unit = ulp(of: exact[i], in: ours.dtype)
                let myError = abs(mine[i] - exact[i])
                #expect(myError <= bound * unit, "\(name)[\(i)]: \(mine[i]) vs exact \(exact[i])")
                let closeToLibrary = abs(mine[i] - library[i]) <= ulp(of: library[i], in: ours.dtype)
                let closerThanLibrary = myError <= abs(library[i] - exact[i])
                #expect(closeToLibrary || closerThanLibrary, "\(name)[\(i)]: ours \(mine[i]), library \(library[i]), exact \(exact[i])")
            }
        }
        #expect(touched == 8)
    }

    private func bytes(_ tensor: Tensor) -> [UInt8] {
        tensor.withUnsafeBytes { Array($0) }
    }

    /// W + sum c * B A in float64.
    private func exactFusion(_ base: Tensor, _ terms: [(module: LoraModule, coefficient: Double)]) throws -> [Double] {
        var w = try doubles(base)
        let cols = base.shape[1]
        for (module, coefficient) in terms {
            let a = try doubles(module.down), b = try doubles(module.up)
            let r = module.rank
            for i in 0..<base.shape[0] {
                for j in 0..<cols {
                    var sum = 0.0
                    for k in 0..<r { sum += b[i * r + k] * a[k * cols + j] }
                    w[i * cols + j] += coefficient * sum
                }
            }
        }
        return w
    }
}
