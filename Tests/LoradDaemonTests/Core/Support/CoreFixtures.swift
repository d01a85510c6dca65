import LoradSystem
import LoradTensors
import LoradTestSupport

/// Paths of the real-library fixtures in Tests/Fixtures (see its SOURCE.md).
enum CoreFixtures {
    /// The bf16 fixture set (base and LoRAs in bf16).
    static let set = "cogvideox-tiny-bf16_bf16"

    /// Tests/Fixtures.
    static var root: String { RepositoryPaths.fixtures }

    /// A path inside the fixture set.
    static func path(_ relative: String, set: String = CoreFixtures.set) -> String {
        root + "/" + set + "/" + relative
    }

    /// The base model file.
    static var basePath: String { path("base.safetensors") }
}

/// A private folder under /tmp, removed with everything in it when released.
final class ScratchFolder: Sendable {
    let path: String

    init() throws {
        path = try DurableFile.makeTemporaryDirectory(prefix: "lorad-core-test")
    }

    deinit { try? DurableFile.removeTree(path) }
}

/// A small in-memory safetensors model: `count` BF16 matrices `rows x cols` with
/// deterministic contents, and metadata.
func syntheticModel(count: Int = 3, rows: Int = 4, cols: Int = 6) throws -> SafetensorsModel {
    var tensors: [(name: String, tensor: Tensor)] = []
    for index in 0..<count {
        let bytes = (0..<(rows * cols * 2)).map { UInt8(truncatingIfNeeded: $0 * 7 + index * 13) }
        tensors.append(("layer.\(index).weight", try Tensor(dtype: .bf16, shape: [rows, cols], bytes: bytes)))
    }
    tensors.append(("scalar", try Tensor(dtype: .f32, shape: [], bytes: [0, 0, 128, 63])))
    let file = try SafetensorsWriter.serialize(tensors: tensors, metadata: ["format": "pt", "origin": "test"])
    return try SafetensorsModel(files: [SafetensorsFile(storage: TensorStorage(copying: file), name: "synthetic")])
}
