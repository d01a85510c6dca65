import LoradAdapters
import LoradWire

/// Which of the files passed with IMPORT hold the weights and the PEFT config, decided from
/// their base names alone (pure) by the rule `AdapterSource.open(path:)` applies to a folder
/// (``AdapterFiles``), after checking each is a plain file name.
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
        do throws(AdapterFiles.Problem) {
            let chosen = try AdapterFiles.choose(among: names)
            self.init(weights: chosen.weights, config: chosen.config)
        } catch {
            switch error {
            case .configWithoutWeights:
                throw WireError(.invalidArgument, "adapter_config.json came without adapter_model.safetensors; pass both PEFT files")
            case .severalWeights(let files):
                throw WireError(.invalidArgument, "several .safetensors files (\(files.joined(separator: ", "))); pass only the adapter's")
            case .noWeights(let pickled?):
                throw WireError(.invalidArgument, AdapterError.pickled(path: pickled).description)
            case .noWeights(nil):
                throw WireError(.invalidArgument, "no .safetensors file among \(names.joined(separator: ", ")); lorad imports safetensors adapters only")
            }
        }
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
}
