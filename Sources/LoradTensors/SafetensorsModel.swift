import LoradSystem

/// The weights of one model: a single safetensors file, or a diffusers /
/// transformers folder of shards described by a `*.safetensors.index.json`.
/// Every file is mapped read-only, zero-copy.
public struct SafetensorsModel: Sendable {
    /// The files, in the order of their paths.
    public let files: [SafetensorsFile]
    /// Which file holds each tensor (an index into ``files``).
    private let fileIndexByName: [String: Int]

    /// The tensor names, sorted.
    public let names: [String]

    /// The `__metadata__` of the file, or of the first shard (by file name).
    public var metadata: [String: String]? { files.first?.metadata }

    /// The entry (dtype, shape, offsets within its file) of tensor `name`.
    public func entry(named name: String) -> TensorEntry? {
        fileIndexByName[name].flatMap { files[$0].entry(named: name) }
    }

    /// A zero-copy view of tensor `name`, nil when the model has none.
    public func tensor(named name: String) -> Tensor? {
        fileIndexByName[name].flatMap { files[$0].tensor(named: name) }
    }

    /// The file holding tensor `name`.
    public func file(containing name: String) -> SafetensorsFile? {
        fileIndexByName[name].map { files[$0] }
    }

    /// Makes a model from already opened files; tensor names must be unique.
    /// - Throws: ``SafetensorsError/tensorInTwoShards(tensor:first:second:)``.
    public init(files: [SafetensorsFile]) throws(SafetensorsError) {
        var index: [String: Int] = [:]
        for (position, file) in files.enumerated() {
            for entry in file.entries {
                if let other = index[entry.name] {
                    throw .tensorInTwoShards(tensor: entry.name, first: files[other].name, second: file.name)
                }
                index[entry.name] = position
            }
        }
        self.files = files
        fileIndexByName = index
        names = index.keys.sorted()
    }

    /// The largest shard index accepted, in bytes.
    public static let maximumIndexLength = 64 << 20

    /// Opens `path`: a `.safetensors` file, or a folder with exactly one
    /// `*.safetensors.index.json` (its `weight_map` maps tensor names to shard
    /// files in the folder), or, without an index, exactly one `*.safetensors`.
    ///
    /// A sharded model is checked: every shard exists and parses, each tensor
    /// lives in the shard the map names, no tensor is in two shards and no shard
    /// holds a tensor the map does not list for it.
    /// - Throws: ``SafetensorsError`` naming the file and problem.
    public static func open(path: String) throws(SafetensorsError) -> SafetensorsModel {
        switch try locate(path: path) {
        case .file(let file):
            return try SafetensorsModel(files: [SafetensorsFile(path: file)])
        case .sharded(let folder, let indexPath, let weightMap):
            return try openSharded(folder: folder, indexPath: indexPath, weightMap: weightMap)
        }
    }

    /// The files ``open(path:)`` reads for `path`, without mapping any: the shard index
    /// (nil for a single file) and the safetensors files in the order of their paths.
    /// Reads the folder listing and the index's `weight_map` only.
    /// - Throws: ``SafetensorsError`` as ``open(path:)`` for a folder it would refuse.
    public static func sourceFiles(of path: String) throws(SafetensorsError) -> (index: String?, files: [String]) {
        switch try locate(path: path) {
        case .file(let file): return (nil, [file])
        case .sharded(let folder, let indexPath, let weightMap):
            return (indexPath, Set(weightMap.values).sorted().map { folder + "/" + $0 })
        }
    }

    /// Where the weights of `path` are: one file, or a shard index with its weight map.
    private enum Location {
        case file(String)
        case sharded(folder: String, indexPath: String, weightMap: [String: String])
    }

    private static func locate(path: String) throws(SafetensorsError) -> Location {
        let status: FileStatus
        do {
            status = try FileStatus(path: path)
        } catch {
            throw .io(error)
        }
        guard status.isDirectory else { return .file(path) }
        let folder = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        let listing: [String]
        do {
            listing = try DurableFile.listDirectory(folder)
        } catch {
            throw .io(error)
        }
        let indexes = listing.filter { $0.hasSuffix(".safetensors.index.json") }
        if indexes.count > 1 { throw .ambiguousFolder(folder: folder, candidates: indexes) }
        if let index = indexes.first {
            let indexPath = folder + "/" + index
            return .sharded(folder: folder, indexPath: indexPath, weightMap: try readWeightMap(indexPath))
        }
        let candidates = listing.filter { $0.hasSuffix(".safetensors") && FileStatus.isRegularFile(folder + "/" + $0) }
        guard let only = candidates.first else { throw .noSafetensorsFiles(folder: folder) }
        guard candidates.count == 1 else { throw .ambiguousFolder(folder: folder, candidates: candidates) }
        return .file(folder + "/" + only)
    }

    private static func openSharded(
        folder: String, indexPath: String, weightMap: [String: String]
    ) throws(SafetensorsError) -> SafetensorsModel {
        let shardNames = Set(weightMap.values).sorted()
        var files: [SafetensorsFile] = []
        for shard in shardNames {
            let shardPath = folder + "/" + shard
            guard FileStatus.exists(shardPath) else { throw .missingShard(index: indexPath, shard: shard) }
            files.append(try SafetensorsFile(path: shardPath))
        }
        let model = try SafetensorsModel(files: files)
        for (tensor, shard) in weightMap {
            guard let holder = model.file(containing: tensor), holder.name == folder + "/" + shard else {
                throw .tensorNotInShard(tensor: tensor, shard: shard)
            }
        }
        for file in files {
            for entry in file.entries where weightMap[entry.name] == nil {
                throw .unlistedTensor(tensor: entry.name, shard: file.name)
            }
        }
        return model
    }

    /// Reads `weight_map` from a shard index: tensor name -> shard file name.
    private static func readWeightMap(_ path: String) throws(SafetensorsError) -> [String: String] {
        let region: MappedRegion
        do {
            region = try MappedRegion(path: path)
        } catch {
            throw .io(error)
        }
        guard region.count <= maximumIndexLength else {
            throw .invalidIndex(path: path, reason: "\(region.count) bytes is larger than the \(maximumIndexLength)-byte limit")
        }
        let root: JSONValue = try region.withUnsafeBytes { (bytes) throws(SafetensorsError) -> JSONValue in
            guard String(validating: bytes, as: UTF8.self) != nil else {
                throw .invalidIndex(path: path, reason: "not UTF-8")
            }
            do throws(JSONParser.Failure) {
                return try JSONParser.parse(bytes)
            } catch {
                throw .invalidIndex(path: path, reason: "invalid JSON at byte \(error.offset): \(error.reason)")
            }
        }
        guard case .object(let members) = root else { throw .invalidIndex(path: path, reason: "not a JSON object") }
        guard let mapValue = members.first(where: { $0.key == "weight_map" })?.value,
            case .object(let entries) = mapValue
        else {
            throw .invalidIndex(path: path, reason: "no \"weight_map\" object")
        }
        var result: [String: String] = [:]
        for (tensor, value) in entries {
            guard case .string(let shard) = value else {
                throw .invalidIndex(path: path, reason: "weight_map[\"\(tensor)\"] is \(value.kind), not a file name")
            }
            guard !shard.isEmpty, !shard.contains("/"), shard != ".", shard != ".." else {
                throw .invalidIndex(path: path, reason: "shard name '\(shard)' must be a plain file name in the same folder")
            }
            result[tensor] = shard
        }
        return result
    }
}
