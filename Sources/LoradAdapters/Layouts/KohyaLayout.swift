import LoradTensors

/// kohya / sd-scripts layout: `lora_<component>_<module, "." as "_">.lora_down.weight`,
/// `.lora_up.weight` and a 0-d `.alpha` (alpha = rank when absent).
///
/// Underscored names are ambiguous (`to_out_0` is `to_out.0`), so modules get a
/// best guess here and exact names when the adapter is resolved against a base
/// (``LoraAdapter/resolved(against:)``), which matches underscored forms of the
/// base's own module paths.
enum KohyaLayout {
    /// Component prefixes, longest first.
    static let componentPrefixes = ["lora_transformer_", "lora_unet_", "lora_te1_", "lora_te2_", "lora_te3_", "lora_te_"]

    static func parse(_ source: AdapterSource) throws(AdapterError) -> LoraAdapter {
        let keys = source.weights.names
        let suffixes = AdapterLayout.kohya.factorSuffixes
        let pairs = try AdapterParser.pairs(keys: keys, down: suffixes.down, up: suffixes.up) { key in
            key.hasSuffix(".alpha")
        }
        var modules: [LoraModule] = []
        var anyAlpha = false
        for pair in pairs {
            let down = try DiffusersLayout.tensor(source, pair.down)
            let up = try DiffusersLayout.tensor(source, pair.up)
            var alpha = Double(down.shape.first ?? 0)
            if let alphaTensor = source.weights.tensor(named: pair.stem + ".alpha") {
                alpha = try scalar(alphaTensor, key: pair.stem + ".alpha")
                anyAlpha = true
            }
            modules.append(LoraModule(
                module: guessModulePath(pair.stem), sourceName: pair.stem,
                down: down, up: up, alpha: alpha, rsLoRA: false))
        }
        let stems = Set(pairs.map(\.stem))
        let orphans = keys.filter { $0.hasSuffix(".alpha") && !stems.contains(String($0.dropLast(".alpha".count))) }
        if !orphans.isEmpty { throw .unexpectedKeys(orphans.sorted()) }
        return try LoraAdapter(
            layout: .kohya, prefix: "transformer", modules: modules,
            alphaSource: anyAlpha ? .file : .rank, sourceMetadata: source.weights.metadata ?? [:])
    }

    /// The stem without its component prefix (`lora_transformer_`), or nil when it
    /// has none lorad knows.
    static func underscoredPath(_ stem: String) -> String? {
        for prefix in componentPrefixes where stem.hasPrefix(prefix) {
            return String(stem.dropFirst(prefix.count))
        }
        return nil
    }

    /// The underscored form of a dotted module path, as kohya writes it.
    static func underscored(_ modulePath: String) -> String {
        modulePath.replacingDots()
    }

    /// A best guess of the dotted path when no base is at hand: numeric parts
    /// become their own components and known multi-word names of diffusers
    /// modules stay whole.
    static func guessModulePath(_ stem: String) -> String {
        guard let path = underscoredPath(stem) else { return stem }
        let words = path.split(separator: "_").map(String.init)
        var parts: [String] = []
        var i = 0
        while i < words.count {
            var matched = false
            for length in stride(from: min(4, words.count - i), through: 2, by: -1) {
                let candidate = words[i..<(i + length)].joined(separator: "_")
                if knownWords.contains(candidate) {
                    parts.append(candidate)
                    i += length
                    matched = true
                    break
                }
            }
            if !matched {
                parts.append(words[i])
                i += 1
            }
        }
        return parts.joined(separator: ".")
    }

    /// Multi-word names in diffusers transformer and UNet module paths.
    static let knownWords: Set<String> = [
        "transformer_blocks", "single_transformer_blocks", "down_blocks", "up_blocks", "mid_block",
        "to_q", "to_k", "to_v", "to_out", "add_q_proj", "add_k_proj", "add_v_proj", "to_add_out",
        "norm_q", "norm_k", "proj_in", "proj_out", "proj_mlp", "time_embedding", "linear_1", "linear_2",
        "patch_embed", "text_proj", "norm_out", "norm_final", "ff_context", "time_proj", "conv_in",
        "conv_out", "conv_shortcut", "time_emb_proj", "context_embedder", "x_embedder",
    ]

    static func scalar(_ tensor: Tensor, key: String) throws(AdapterError) -> Double {
        guard tensor.elementCount == 1, tensor.dtype.isComputable else {
            throw .badConfig("\(key) must be a single number, not a \(tensor.dtype.rawValue) tensor of shape \(tensor.shape)")
        }
        var value = [Double](repeating: 0, count: 1)
        do {
            try tensor.withUnsafeBytes { raw in
                try value.withUnsafeMutableBufferPointer { out in
                    try FloatConversion.toFloat64(raw, dtype: tensor.dtype, into: out)
                }
            }
        } catch {
            throw .badConfig("\(key) could not be read: \(error)")
        }
        guard value[0].isFinite else { throw .badAlpha(module: key, value: value[0]) }
        return value[0]
    }
}

extension String {
    /// The string with every "." replaced by "_".
    func replacingDots() -> String {
        String(map { $0 == "." ? "_" : $0 })
    }
}
