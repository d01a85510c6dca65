import LoradSystem
import LoradTensors

extension AdapterSource {
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
        if AdapterFiles.isPickled(name) { throw AdapterError.pickled(path: path) }
        var config: [UInt8]?
        if name == "adapter_model.safetensors" {
            let configPath = PathName.folder(path) + "/adapter_config.json"
            if (try? FileStatus(path: configPath)) != nil { config = try readWholeFile(configPath) }
        }
        return AdapterSource(origin: path, weights: try SafetensorsFile(path: path), configJSON: config)
    }

    private static func openFolder(_ folder: String) throws -> AdapterSource {
        let names = try DurableFile.listDirectory(folder).sorted()
        let chosen: AdapterFiles
        do throws(AdapterFiles.Problem) {
            chosen = try AdapterFiles.choose(among: names)
        } catch {
            throw error.adapterError(folder: folder, verb: "use")
        }
        let config = try chosen.config.map { try readWholeFile(folder + "/" + names[$0]) }
        return AdapterSource(origin: folder, weights: try SafetensorsFile(path: folder + "/" + names[chosen.weights]), configJSON: config)
    }

    private static func readWholeFile(_ path: String) throws -> [UInt8] {
        let region = try MappedRegion(path: path)
        return region.withUnsafeBytes { Array($0) }
    }
}
