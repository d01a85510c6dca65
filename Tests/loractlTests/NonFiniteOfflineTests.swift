import Foundation
import LoradTensors
import LoradTestSupport
import Testing

/// Offline `pack`, `merge` and `inspect` refuse an adapter whose factors hold NaN or an
/// infinity: exit 65, one line naming the tensor and the element.
@Suite struct NonFiniteOfflineTests {
    @Test func packMergeAndInspectRefuseANaNFactor() throws {
        let runner = LoractlProcessTests()
        let folder = try runner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fixtures = LoractlProcessTests.fixtures
        let source = try SafetensorsFile(path: fixtures + "/diffusers_plain/pytorch_lora_weights.safetensors")
        let key = try #require(source.names.sorted().last)
        var tensors: [(name: String, tensor: Tensor)] = []
        for name in source.names {
            var tensor = try #require(source.tensor(named: name))
            if name == key {
                var bytes = tensor.withUnsafeBytes { Array($0) }
                bytes[2] = 0x80  // element 1: BF16 0xFF80, -Inf
                bytes[3] = 0xFF
                tensor = try Tensor(dtype: tensor.dtype, shape: tensor.shape, bytes: bytes)
            }
            tensors.append((name, tensor))
        }
        let adapter = folder.appendingPathComponent("poisoned.safetensors").path
        try SafetensorsWriter.write(tensors: tensors, metadata: source.metadata, to: adapter)

        let expected = "loractl: \(key) holds -Inf at element 1 (row 0, column 1 of "
        let outcomes = [
            try runner.run(["pack", adapter, "--output", folder.appendingPathComponent("p.lorapack").path]),
            try runner.run([
                "merge", "--base", fixtures + "/base.safetensors", "--adapter", adapter,
                "--output", folder.appendingPathComponent("m.safetensors").path, "--quiet",
            ]),
            try runner.run(["inspect", adapter]),
        ]
        for outcome in outcomes {
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(outcome.stderr.hasPrefix(expected), "\(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1)
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("p.lorapack").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("m.safetensors").path))
    }
}
