import LoradAdapters
import LoradWire

/// Which of the files passed with IMPORT hold the weights and the PEFT config, decided from
/// their base names alone (pure). Mirrors what `AdapterSource.open(path:)` does for a folder:
/// PEFT's `adapter_config.json` + `adapter_model.safetensors`, else diffusers'
/// `pytorch_lora_weights.safetensors`, else the only `.safetensors` file. Other files (a
/// README, say) are ignored.
struct ImportSelection: Equatable, Sendable {
    /// The index of the weights file.
    var weights: Int
    /// The index of `adapter_config.json`, when given.
    var config: Int?

    /// Chooses among `names`.
    /// - Throws: `invalid_argument` for no files, a name that is not a plain file name, a
    ///   pickled checkpoint, or no (or several) candidate weights files.
    init(names: [String]) throws(WireError) {
        guard !names.isEmpty else {
            throw WireError(.invalidArgument, "IMPORT carried no files; pass the adapter's .safetensors file (and adapter_config.json for PEFT)")
        }
        for name in names {
            guard ImportSelection.isPlainName(name) else {
                throw WireError(.invalidArgument, "file name \"\(WireError.fitting(name, bytes: 64))\" must be a plain base name (no '/', not '.' or '..')")
            }
        }
        let config = names.firstIndex(of: "adapter_config.json")
        if let config {
            guard let weights = names.firstIndex(of: "adapter_model.safetensors") else {
                throw WireError(.invalidArgument, "adapter_config.json came without adapter_model.safetensors; pass both PEFT files")
            }
            self.init(weights: weights, config: config)
            return
        }
        if let weights = names.firstIndex(of: "pytorch_lora_weights.safetensors") {
            self.init(weights: weights, config: nil)
            return
        }
        let candidates = names.indices.filter { names[$0].hasSuffix(".safetensors") }
        if candidates.count == 1 {
            self.init(weights: candidates[0], config: nil)
            return
        }
        if candidates.count > 1 {
            throw WireError(.invalidArgument, "several .safetensors files (\(candidates.map { names[$0] }.joined(separator: ", "))); pass only the adapter's")
        }
        if let pickled = names.first(where: ImportSelection.isPickled) {
            throw WireError(.invalidArgument, AdapterError.pickled(path: pickled).description)
        }
        throw WireError(.invalidArgument, "no .safetensors file among \(names.joined(separator: ", ")); lorad imports safetensors adapters only")
    }

    private init(weights: Int, config: Int?) {
        self.weights = weights
        self.config = config
    }

    /// True for a non-empty base name within the protocol's bound.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= WireLimits.maxFileNameBytes && !name.contains("/") && name != "." && name != ".."
            && !name.utf8.contains(0)
    }

    /// True for the extensions of pickled checkpoints.
    static func isPickled(_ name: String) -> Bool {
        ["bin", "pt", "pth", "ckpt", "pkl", "pickle"].contains { name.lowercased().hasSuffix("." + $0) }
    }
}
