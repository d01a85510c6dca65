import LoradTensors
import LoradTestSupport
import Testing
@testable import LoradStore

@Suite struct PackWriterTests {
    /// Element counts that make whole bytes for every dtype (F4 needs even counts, F6 a
    /// multiple of 4), including 0-d (one element), empty, and odd shapes.
    private static let shapes: [[Int]] = [[], [0], [4], [3, 4], [2, 0, 3], [1, 1, 1, 12], [5, 4]]

    @Test(arguments: DType.allCases)
    func roundTripIsBitExactForEveryDTypeShapeAndTransform(dtype: DType) throws {
        var rng = SplitMix64(seed: UInt64(dtype.bitWidth))
        var writer = PackWriter(metadata: ["dtype": dtype.rawValue])
        var expected: [String: [UInt8]] = [:]
        for (index, shape) in Self.shapes.enumerated() {
            let elements = Tensor.elementCount(of: shape) ?? 0
            guard let size = dtype.byteCount(elements: elements) else { continue }
            for transform in [nil] + PackTransform.allCases where transform?.planeCount(for: dtype) != nil || transform == nil {
                let name = "t\(index).\(transform.map { "\($0.rawValue)" } ?? "auto")"
                let bytes = PackSamples.randomBytes(size, &rng)
                try writer.addTensor(name: name, dtype: dtype, shape: shape, bytes: bytes, transform: transform)
                expected[name] = bytes
            }
        }
        for level in [1, 3] {
            let reader = try PackReader(bytes: try writer.encode(level: level))
            #expect(reader.manifest.metadata == ["dtype": dtype.rawValue])
            #expect(reader.manifest.tensors.count == expected.count)
            for (name, bytes) in expected {
                #expect(try reader.decompress(tensorNamed: name) == bytes, "\(dtype) \(name) level \(level)")
            }
            try reader.verify()
        }
    }

    @Test func preferredTransforms() throws {
        var writer = PackWriter()
        try writer.addTensor(name: "bf16", dtype: .bf16, shape: [2], bytes: [0, 0, 0, 0])
        try writer.addTensor(name: "f16", dtype: .f16, shape: [2], bytes: [0, 0, 0, 0])
        try writer.addTensor(name: "f64", dtype: .f64, shape: [1], bytes: Array(repeating: 0, count: 8))
        try writer.addTensor(name: "i32", dtype: .i32, shape: [1], bytes: [0, 0, 0, 0])
        try writer.addTensor(name: "empty", dtype: .bf16, shape: [0], bytes: [])
        let manifest = try PackReader(bytes: try writer.encode()).manifest
        #expect(manifest.tensor(named: "bf16")?.transform == .rotatedBytePlanes)
        #expect(manifest.tensor(named: "bf16")?.frames.count == 2)
        #expect(manifest.tensor(named: "f16")?.transform == .bytePlanes)
        #expect(manifest.tensor(named: "f64")?.frames.count == 8)
        #expect(manifest.tensor(named: "i32")?.transform == PackTransform.none)
        #expect(manifest.tensor(named: "empty")?.transform == PackTransform.none)
    }

    @Test func encodingIsCanonical() throws {
        var forward = PackWriter(metadata: ["b": "2", "a": "1"])
        var backward = PackWriter(metadata: ["a": "1", "b": "2"])
        try forward.addTensor(name: "x", dtype: .u8, shape: [1], bytes: [1])
        try forward.addTensor(name: "y", dtype: .u8, shape: [1], bytes: [2])
        try backward.addTensor(name: "y", dtype: .u8, shape: [1], bytes: [2])
        try backward.addTensor(name: "x", dtype: .u8, shape: [1], bytes: [1])
        #expect(try forward.encode() == backward.encode())
        let names = try PackReader(bytes: try forward.encode()).manifest.tensors.map(\.name)
        #expect(names == ["x", "y"])
    }

    @Test func metadataRoundTrips() throws {
        let metadata = ["alpha": "64", "empty": "", "ünïcode ключ": "värde ✓", "json": #"{"to_q": [1, 2.5]}"#]
        let reader = try PackReader(bytes: try PackWriter(metadata: metadata).encode())
        #expect(reader.manifest.metadata == metadata)
        #expect(reader.manifest.tensors.isEmpty)
    }

    @Test func decompressAllKeepsManifestOrder() throws {
        let writer = try PackSamples.mixedWriter()
        let reader = try PackReader(bytes: try writer.encode())
        let all = try reader.decompressAll()
        #expect(all.count == reader.manifest.tensors.count)
        for (entry, bytes) in zip(reader.manifest.tensors, all) {
            #expect(try reader.decompress(entry) == bytes)
            #expect(XXH64.hash(bytes) == entry.checksum)
        }
    }

    @Test func rejectsBadInput() throws {
        var writer = PackWriter()
        try writer.addTensor(name: "a", dtype: .u8, shape: [1], bytes: [1])
        let cases: [(String, DType, [Int], [UInt8], PackTransform?, String)] = [
            ("a", .u8, [1], [1], nil, "added twice"),
            ("", .u8, [1], [1], nil, "tensor name"),
            ("b", .bf16, [2], [1, 2, 3], nil, "needs 4 bytes, got 3"),
            ("c", .f4, [3], [1, 2], nil, "not a whole number of bytes"),
            ("d", .u8, [-1], [], nil, "invalid shape"),
            ("e", .u8, [2], [1, 2], .bytePlanes, "does not apply to U8"),
            ("f", .u8, Array(repeating: 1, count: 17), [1], nil, "17 dimensions"),
            ("g", .u8, [Int.max, 2], [], nil, "invalid shape"),
        ]
        for (name, dtype, shape, bytes, transform, message) in cases {
            let error = #expect(throws: PackError.self) {
                try writer.addTensor(name: name, dtype: dtype, shape: shape, bytes: bytes, transform: transform)
            }
            #expect(error?.description.contains(message) == true, "\(error.map(\.description) ?? "no error")")
        }
        #expect(writer.tensorCount == 1)
        #expect(throws: PackError.invalidInput("level 0 is out of range 1...19")) { try writer.encode(level: 0) }
        let emptyKey = #expect(throws: PackError.self) { try PackWriter(metadata: ["": "x"]).encode() }
        #expect(emptyKey?.description.contains("metadata key") == true)
    }

    @Test func gaussianFactorsCompress() throws {
        var rng = SplitMix64(seed: 3)
        var writer = PackWriter()
        let bytes = PackSamples.gaussianBF16(64 * 256, sigma: 0.02, &rng)
        try writer.addTensor(name: "w", dtype: .bf16, shape: [64, 256], bytes: bytes)
        let pack = try writer.encode()
        // Order-0 entropy of Gaussian bf16 is ~10.5 bits per 16: expect well over 1.3x.
        #expect(Double(bytes.count) / Double(pack.count) > 1.3)
        #expect(try PackReader(bytes: pack).decompress(tensorNamed: "w") == bytes)
    }
}
