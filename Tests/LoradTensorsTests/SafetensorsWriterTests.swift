import LoradSystem
import LoradTensors
import LoradTestSupport
import Testing

@Suite struct SafetensorsWriterTests {
    static let sixFloats = littleEndianBytes([0, 1, 2, 3, 4, 5])

    @Test func matchesReferenceSerializationVectors() throws {
        let attn = try Tensor(dtype: .f32, shape: [1, 2, 3], bytes: Self.sixFloats)
        #expect(try SafetensorsWriter.serialize(tensors: [("attn.0", attn)]) == SafetensorsHeaderTests.referenceVector)
        #expect(try SafetensorsWriter.serialize(tensors: []) == [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
        #expect(try SafetensorsWriter.serialize(tensors: [], metadata: ["framework": "pt"]) == handMade(#"{"__metadata__":{"framework":"pt"}}     "#))
        // A shorter name forces padding before the data (the reference's alignment vector).
        let attn0 = try Tensor(dtype: .f32, shape: [1, 1, 2, 3], bytes: Self.sixFloats)
        let padded = try SafetensorsWriter.serialize(tensors: [("attn0", attn0)])
        #expect(padded == handMade(#"{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       "#, data: Self.sixFloats))
        #expect(padded[0] == 72)
    }

    @Test func rewritesFixturesByteForByte() throws {
        // Files written by Python safetensors; their metadata keys happen to be sorted.
        for path in [
            "/cogvideox-tiny-bf16_bf16/base.safetensors", "/cogvideox-tiny-bf16_bf16/peft_rslora/adapter_model.safetensors",
            "/cogvideox-tiny-fp16_fp32/expected_peft_rslora_merged.safetensors",
        ] {
            let original = try readFile(RepositoryPaths.fixtures + path)
            let file = try SafetensorsFile(path: RepositoryPaths.fixtures + path)
            let tensors = try file.entries.map { entry in (entry.name, try #require(file.tensor(named: entry.name))) }
            let rewritten = try SafetensorsWriter.serialize(tensors: tensors, metadata: file.metadata)
            #expect(rewritten == original, "\(path)")
        }
    }

    @Test func layoutAlignsEveryTensorAndIsDeterministic() throws {
        var random = SplitMix64(seed: 7)
        let dtypes = DType.allCases.filter { $0.bitWidth >= 8 }
        for round in 0..<50 {
            var entries: [SafetensorsLayout.Entry] = []
            for index in 0..<random.below(12) {
                let dtype = dtypes[random.below(dtypes.count)]
                let shape = (0..<random.below(3)).map { _ in random.below(5) }
                entries.append(.init(name: "t\(index)-\(round)", dtype: dtype, shape: shape))
            }
            let layout = try SafetensorsLayout(entries: entries.shuffled(using: &random), metadata: ["r": "\(round)"])
            #expect(layout.dataStart % 8 == 0)
            #expect(layout.headerBytes.count == layout.dataStart)
            for entry in layout.entries {
                let range = try #require(layout.range(of: entry.name))
                #expect(range.lowerBound % entry.dtype.alignment == 0, "\(entry)")
            }
            let again = try SafetensorsLayout(entries: entries, metadata: ["r": "\(round)"])
            #expect(again.headerBytes == layout.headerBytes)
            let bytes = try SafetensorsWriter.serialize(layout: layout) { entry, buffer in
                for i in 0..<buffer.count { buffer[i] = UInt8(truncatingIfNeeded: i &+ entry.name.utf8.count) }
            }
            let header = try parse(bytes)
            #expect(header.entries.map(\.name) == layout.entries.map(\.name))
            #expect(header.metadata == ["r": "\(round)"])
            #expect(bytes.count == layout.totalSize)
        }
    }

    @Test func ordersByDTypeThenName() throws {
        let layout = try SafetensorsLayout(entries: [
            .init(name: "b", dtype: .u8, shape: [3]), .init(name: "a", dtype: .bf16, shape: [1]),
            .init(name: "c", dtype: .f64, shape: [1]), .init(name: "a2", dtype: .f32, shape: [1]),
            .init(name: "a1", dtype: .f32, shape: [1]), .init(name: "B", dtype: .u8, shape: [1]),
        ])
        #expect(layout.entries.map(\.name) == ["c", "a1", "a2", "a", "B", "b"])
        #expect(layout.range(of: "c") == layout.dataStart..<(layout.dataStart + 8))
        #expect(layout.range(of: "zzz") == nil)
        #expect(layout.totalSize == layout.dataStart + 8 + 4 + 4 + 2 + 1 + 3)
    }

    @Test func rejectsBadLayouts() {
        #expect(catchError { try SafetensorsLayout(entries: [.init(name: "a", dtype: .u8, shape: [1]), .init(name: "a", dtype: .u8, shape: [2])]) }
            == .duplicateTensor("a"))
        #expect(catchError { try SafetensorsLayout(entries: [.init(name: "__metadata__", dtype: .u8, shape: [1])]) } == .reservedName("__metadata__"))
        #expect(catchError { try SafetensorsLayout(entries: [.init(name: "n", dtype: .u8, shape: [-1])]) } == .invalidShape(tensor: "n", shape: [-1]))
        #expect(catchError { try SafetensorsLayout(entries: [.init(name: "o", dtype: .f64, shape: [1 << 62])]) } == .invalidShape(tensor: "o", shape: [1 << 62]))
        #expect(catchError { try SafetensorsLayout(entries: [.init(name: "h", dtype: .f4, shape: [3])]) } == .fractionalByteSize(tensor: "h", elements: 3, dtype: .f4))
        #expect(catchError {
            // Each tensor's bit count fits in Int; nine of them do not fit in a file.
            try SafetensorsLayout(entries: (0..<9).map { .init(name: "x\($0)", dtype: .u8, shape: [Int.max / 8]) })
        } == .layoutTooLarge)
    }

    @Test func writesDurablyAndReadsBack() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let path = temp.file("out.safetensors")
        let weights = try Tensor(converting: [1.5, -2.25, 3e-3, 65504], to: .bf16, shape: [2, 2])
        let bias = try Tensor(converting: [0.5, 1] as [Double], to: .f64, shape: [2])
        try SafetensorsWriter.write(tensors: [("w", weights), ("b", bias)], metadata: ["format": "pt", "é": "\"q\"\n"], to: path)
        let file = try SafetensorsFile(path: path)
        #expect(file.metadata == ["format": "pt", "é": "\"q\"\n"])
        #expect(try file.tensor(named: "w")?.floats() == [1.5, -2.25, BFloat16(Float(3e-3)).float, 65536])
        #expect(try file.tensor(named: "b")?.doubles() == [0.5, 1])
        #expect(file.entries.map(\.name) == ["b", "w"])
        #expect(try DurableFile.listDirectory(temp.path) == ["out.safetensors"])
    }

    @Test func failedFillLeavesNoFile() throws {
        struct Boom: Error {}
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let layout = try SafetensorsLayout(entries: [.init(name: "a", dtype: .f32, shape: [4])])
        #expect(throws: Boom.self) {
            try SafetensorsWriter.write(layout: layout, to: temp.file("x.safetensors")) { _, _ in throw Boom() }
        }
        #expect(try DurableFile.listDirectory(temp.path).isEmpty)
        var small = [UInt8](repeating: 0, count: 3)
        #expect(throws: SafetensorsError.bufferSizeMismatch(expected: layout.totalSize, actual: 3)) {
            try small.withUnsafeMutableBytes { try layout.write(into: $0) { _, _ in } }
        }
    }
}
