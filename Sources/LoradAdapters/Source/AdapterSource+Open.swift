import LoradSystem
import LoradTensors

extension AdapterSource {
    /// File name extensions of pickled checkpoints, which lorad never loads.
    static let pickleExtensions: Set<String> = ["bin", "pt", "pth", "ckpt", "pkl", "pickle"]

    /// Opens an adapter file or folder.
    ///
    /// - A `.safetensors` file: the weights (with `adapter_config.json` from the
    ///   same folder when the file is PEFT's `adapter_model.safetensors`).
    /// - A folder: PEFT's `adapter_config.json` + `adapter_model.safetensors`,
    ///   else diffusers' `pytorch_lora_weights.safetensors`, else its only
    ///   `.safetensors` file.
    ///
    /// Throws ``AdapterError/notFound(path:)`` when nothing is there,
    /// ``AdapterError/pickled(path:)`` for `.bin`/`.pt` checkpoints,
    /// ``AdapterError/unrecognised(path:detail:)`` when the folder is ambiguous or
    /// empty, and the safetensors or system error when a file cannot be read.
    public static func open(path: String) throws -> AdapterSource {
        guard let info = try? FileStatus(path: path) else { throw AdapterError.notFound(path: path) }
        if info.isDirectory {
            return try openFolder(path)
        }
        let name = PathName.base(path)
        if pickleExtensions.contains(PathName.fileExtension(name)) { throw AdapterError.pickled(path: path) }
        var config: [UInt8]?
        if name == "adapter_model.safetensors" {
            let configPath = PathName.folder(path) + "/adapter_config.json"
            if (try? FileStatus(path: configPath)) != nil { config = try readWholeFile(configPath) }
        }
        return AdapterSource(origin: path, weights: try SafetensorsFile(path: path), configJSON: config)
    }

    private static func openFolder(_ folder: String) throws -> AdapterSource {
        let names = try DurableFile.listDirectory(folder).sorted()
        let present = Set(names)
        if present.contains("adapter_config.json") {
            let config = try readWholeFile(folder + "/adapter_config.json")
            guard present.contains("adapter_model.safetensors") else {
                if let pickled = names.first(where: { pickleExtensions.contains(PathName.fileExtension($0)) }) {
                    throw AdapterError.pickled(path: folder + "/" + pickled)
                }
                throw AdapterError.unrecognised(path: folder, detail: "adapter_config.json without adapter_model.safetensors")
            }
            let weights = try SafetensorsFile(path: folder + "/adapter_model.safetensors")
            return AdapterSource(origin: folder, weights: weights, configJSON: config)
        }
        if present.contains("pytorch_lora_weights.safetensors") {
            return AdapterSource(origin: folder, weights: try SafetensorsFile(path: folder + "/pytorch_lora_weights.safetensors"))
        }
        let tensorFiles = names.filter { PathName.fileExtension($0) == "safetensors" }
        if tensorFiles.count == 1 {
            return AdapterSource(origin: folder, weights: try SafetensorsFile(path: folder + "/" + tensorFiles[0]))
        }
        if tensorFiles.count > 1 {
            throw AdapterError.unrecognised(path: folder, detail: "several .safetensors files (\(tensorFiles.joined(separator: ", "))); name the file to use")
        }
        if let pickled = names.first(where: { pickleExtensions.contains(PathName.fileExtension($0)) }) {
            throw AdapterError.pickled(path: folder + "/" + pickled)
        }
        throw AdapterError.unrecognised(path: folder, detail: "no .safetensors file in the folder")
    }

    private static func readWholeFile(_ path: String) throws -> [UInt8] {
        let region = try MappedRegion(path: path)
        return region.withUnsafeBytes { Array($0) }
    }
}
