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
        let name = lastComponent(path)
        if pickleExtensions.contains(fileExtension(name)) { throw AdapterError.pickled(path: path) }
        var config: [UInt8]?
        if name == "adapter_model.safetensors" {
            let configPath = parentFolder(path) + "/adapter_config.json"
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
                if let pickled = names.first(where: { pickleExtensions.contains(fileExtension($0)) }) {
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
        let tensorFiles = names.filter { fileExtension($0) == "safetensors" }
        if tensorFiles.count == 1 {
            return AdapterSource(origin: folder, weights: try SafetensorsFile(path: folder + "/" + tensorFiles[0]))
        }
        if tensorFiles.count > 1 {
            throw AdapterError.unrecognised(path: folder, detail: "several .safetensors files (\(tensorFiles.joined(separator: ", "))); name the file to use")
        }
        if let pickled = names.first(where: { pickleExtensions.contains(fileExtension($0)) }) {
            throw AdapterError.pickled(path: folder + "/" + pickled)
        }
        throw AdapterError.unrecognised(path: folder, detail: "no .safetensors file in the folder")
    }

    private static func readWholeFile(_ path: String) throws -> [UInt8] {
        let region = try MappedRegion(path: path)
        return Array(region.bytes)
    }

    static func lastComponent(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if let slash = trimmed.lastIndex(of: "/") { return String(trimmed[trimmed.index(after: slash)...]) }
        return String(trimmed)
    }

    static func parentFolder(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func fileExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }
}
