import LoradSystem

/// Which of an adapter's files lorad reads, chosen from their names alone (pure): PEFT's
/// `adapter_config.json` + `adapter_model.safetensors`, else diffusers'
/// `pytorch_lora_weights.safetensors`, else the only `.safetensors` file; other files (a
/// README, say) are ignored. The one rule behind ``AdapterSource/open(path:)`` for a folder,
/// `loractl import` and the daemon's IMPORT, which word its ``Problem``s for their users.
public struct AdapterFiles: Equatable, Sendable {
    /// The index of the weights file among the names.
    public var weights: Int
    /// The index of `adapter_config.json` (PEFT), when there is one.
    public var config: Int?

    /// Why no choice exists.
    public enum Problem: Error, Equatable, Sendable {
        /// `adapter_config.json` without `adapter_model.safetensors`; `pickled` is the first
        /// pickled checkpoint among the names, if any.
        case configWithoutWeights(pickled: String?)
        /// Several candidate weights files, by name in the order given.
        case severalWeights([String])
        /// No candidate weights file; `pickled` is the first pickled checkpoint, if any.
        case noWeights(pickled: String?)
    }

    /// File name extensions of pickled checkpoints, which lorad never loads.
    public static let pickleExtensions: Set<String> = ["bin", "pt", "pth", "ckpt", "pkl", "pickle"]

    /// Chooses among the base names `names` (in the order a caller wants ties reported).
    /// - Throws: the ``Problem`` when no safe choice exists.
    public static func choose(among names: [String]) throws(Problem) -> AdapterFiles {
        if let config = names.firstIndex(of: "adapter_config.json") {
            guard let weights = names.firstIndex(of: "adapter_model.safetensors") else {
                throw .configWithoutWeights(pickled: names.first(where: isPickled))
            }
            return AdapterFiles(weights: weights, config: config)
        }
        if let weights = names.firstIndex(of: "pytorch_lora_weights.safetensors") {
            return AdapterFiles(weights: weights, config: nil)
        }
        let candidates = names.indices.filter { PathName.fileExtension(names[$0]) == "safetensors" }
        guard candidates.count <= 1 else { throw .severalWeights(candidates.map { names[$0] }) }
        guard let only = candidates.first else { throw .noWeights(pickled: names.first(where: isPickled)) }
        return AdapterFiles(weights: only, config: nil)
    }

    /// True for a name with the extension of a pickled checkpoint (any case).
    public static func isPickled(_ name: String) -> Bool {
        pickleExtensions.contains(PathName.fileExtension(name))
    }
}

extension AdapterFiles.Problem {
    /// The ``AdapterError`` for this problem in `folder`: the pickled file when there is one,
    /// else `unrecognised`, whose advice for several files ends "name the file to `verb`".
    public func adapterError(folder: String, verb: String) -> AdapterError {
        switch self {
        case .configWithoutWeights(let pickled?), .noWeights(let pickled?):
            .pickled(path: PathName.join(folder, pickled))
        case .configWithoutWeights(nil):
            .unrecognised(path: folder, detail: "adapter_config.json without adapter_model.safetensors")
        case .severalWeights(let names):
            .unrecognised(path: folder, detail: "several .safetensors files (\(names.joined(separator: ", "))); name the file to \(verb)")
        case .noWeights(nil):
            .unrecognised(path: folder, detail: "no .safetensors file in the folder")
        }
    }
}
