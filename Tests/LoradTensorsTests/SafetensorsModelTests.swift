import LoradSystem
import LoradTensors
import LoradTestSupport
import Testing

@Suite struct SafetensorsModelTests {
    func tensor(_ value: UInt8, count: Int = 4) throws -> Tensor {
        try Tensor(dtype: .u8, shape: [count], bytes: Array(repeating: value, count: count))
    }

    func writeIndex(_ map: [String: String], to path: String) throws {
        let entries = map.keys.sorted().map { "\"\($0)\": \"\(map[$0]!)\"" }.joined(separator: ",\n    ")
        let json = "{\n  \"metadata\": {\"total_size\": 12},\n  \"weight_map\": {\n    \(entries)\n  }\n}\n"
        try DurableFile.writeAtomically(to: path, bytes: Array(json.utf8))
    }

    /// Two shards and an index, like diffusers writes.
    func makeSharded(_ temp: TempFolder) throws {
        try SafetensorsWriter.write(
            tensors: [("a", try tensor(1)), ("b", try tensor(2))], metadata: ["format": "pt"],
            to: temp.file("diffusion_pytorch_model-00001-of-00002.safetensors"))
        try SafetensorsWriter.write(
            tensors: [("c", try tensor(3))], metadata: ["format": "pt"],
            to: temp.file("diffusion_pytorch_model-00002-of-00002.safetensors"))
        try writeIndex(
            ["a": "diffusion_pytorch_model-00001-of-00002.safetensors", "b": "diffusion_pytorch_model-00001-of-00002.safetensors",
             "c": "diffusion_pytorch_model-00002-of-00002.safetensors"],
            to: temp.file("diffusion_pytorch_model.safetensors.index.json"))
    }

    @Test func opensSingleFile() throws {
        let model = try SafetensorsModel.open(path: SafetensorsFileTests.basePath)
        #expect(model.files.count == 1)
        #expect(model.names.count == 64)
        #expect(model.metadata?["model"] == "CogVideoXTransformer3DModel")
        #expect(model.entry(named: "proj_out.bias")?.dtype == .bf16)
        #expect(model.tensor(named: "proj_out.bias")?.shape == model.entry(named: "proj_out.bias")?.shape)
    }

    @Test func opensFolderWithOneFile() throws {
        let model = try SafetensorsModel.open(path: RepositoryPaths.fixtures + "/cogvideox-tiny-bf16_bf16/diffusers_plain/")
        #expect(model.files.count == 1)
        #expect(model.names.allSatisfy { $0.hasPrefix("transformer.") })
    }

    @Test func opensShardedFolder() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try makeSharded(temp)
        let model = try SafetensorsModel.open(path: temp.path)
        #expect(model.files.count == 2)
        #expect(model.names == ["a", "b", "c"])
        #expect(model.tensor(named: "c")?.bytes == [3, 3, 3, 3])
        #expect(model.tensor(named: "a")?.bytes == [1, 1, 1, 1])
        #expect(model.file(containing: "c")?.name == temp.file("diffusion_pytorch_model-00002-of-00002.safetensors"))
        #expect(model.metadata == ["format": "pt"])
        #expect(model.tensor(named: "z") == nil)
    }

    @Test func sourceFilesNameWhatOpenReads() throws {
        let file = try SafetensorsModel.sourceFiles(of: SafetensorsFileTests.basePath)
        #expect(file.index == nil && file.files == [SafetensorsFileTests.basePath])
        let plain = RepositoryPaths.fixtures + "/cogvideox-tiny-bf16_bf16/diffusers_plain/"
        let single = try SafetensorsModel.sourceFiles(of: plain)
        let opened = try SafetensorsModel.open(path: plain).files.map(\.name)
        #expect(single.index == nil)
        #expect(single.files == opened)
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try makeSharded(temp)
        let sharded = try SafetensorsModel.sourceFiles(of: temp.path)
        #expect(sharded.index == temp.file("diffusion_pytorch_model.safetensors.index.json"))
        let shards = try SafetensorsModel.open(path: temp.path).files.map(\.name)
        #expect(sharded.files == shards)
        #expect(sharded.files.count == 2)
    }

    @Test func rejectsInconsistentShards() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try makeSharded(temp)
        let index = temp.file("diffusion_pytorch_model.safetensors.index.json")
        let first = "diffusion_pytorch_model-00001-of-00002.safetensors"
        let second = "diffusion_pytorch_model-00002-of-00002.safetensors"

        try writeIndex(["a": first, "b": first, "c": first], to: index)
        #expect(catchError { try SafetensorsModel.open(path: temp.path) } == .tensorNotInShard(tensor: "c", shard: first))

        try writeIndex(["a": first, "b": first, "c": "missing.safetensors"], to: index)
        #expect(catchError { try SafetensorsModel.open(path: temp.path) } == .missingShard(index: index, shard: "missing.safetensors"))

        try writeIndex(["a": first, "c": second], to: index)
        #expect(catchError { try SafetensorsModel.open(path: temp.path) } == .unlistedTensor(tensor: "b", shard: temp.file(first)))

        try writeIndex(["a": first, "b": first, "c": "../x.safetensors"], to: index)
        if case .invalidIndex? = catchError({ try SafetensorsModel.open(path: temp.path) }) {} else { Issue.record("path escape accepted") }

        try DurableFile.writeAtomically(to: index, bytes: Array(#"{"weight_map": {"a": 1}}"#.utf8))
        if case .invalidIndex? = catchError({ try SafetensorsModel.open(path: temp.path) }) {} else { Issue.record("bad map accepted") }

        try DurableFile.writeAtomically(to: index, bytes: Array(#"{"weight_map": "#.utf8))
        if case .invalidIndex? = catchError({ try SafetensorsModel.open(path: temp.path) }) {} else { Issue.record("bad JSON accepted") }

        // The same tensor in two shards.
        try SafetensorsWriter.write(tensors: [("a", try tensor(9)), ("c", try tensor(3))], to: temp.file(second))
        try writeIndex(["a": first, "b": first, "c": second], to: index)
        #expect(catchError { try SafetensorsModel.open(path: temp.path) } == .tensorInTwoShards(tensor: "a", first: temp.file(first), second: temp.file(second)))
    }

    @Test func rejectsAmbiguousAndEmptyFolders() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        #expect(catchError { try SafetensorsModel.open(path: temp.path) } == .noSafetensorsFiles(folder: temp.path))
        try SafetensorsWriter.write(tensors: [("a", try tensor(1))], to: temp.file("model.safetensors"))
        try SafetensorsWriter.write(tensors: [("a", try tensor(1))], to: temp.file("diffusion_pytorch_model.safetensors"))
        #expect(catchError { try SafetensorsModel.open(path: temp.path) }
            == .ambiguousFolder(folder: temp.path, candidates: ["diffusion_pytorch_model.safetensors", "model.safetensors"]))
        guard case .io(let error)? = catchError({ try SafetensorsModel.open(path: temp.file("none")) }) else {
            Issue.record("expected io error"); return
        }
        #expect(error.isNotFound)
    }
}
