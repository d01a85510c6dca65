import LoradTensors

/// PEFT layout: `adapter_config.json` and `adapter_model.safetensors` with keys
/// `base_model.model.<module>.lora_A.weight` / `.lora_B.weight`.
enum PEFTLayout {
    /// The prefix PEFT writes in front of module paths.
    static let keyPrefix = "base_model.model."

    static func parse(_ source: AdapterSource) throws(AdapterError) -> LoraAdapter {
        guard let json = source.configJSON else {
            throw .badConfig("\(source.origin): PEFT keys without adapter_config.json; pass the folder that holds both files")
        }
        let config = try LoraConfig.peft(json: json)
        if config.useDoRA { throw .unsupported(feature: "DoRA", detail: "adapter_config.json says use_dora") }
        if config.loraBias { throw .unsupported(feature: "LoRA bias", detail: "adapter_config.json says lora_bias") }
        let keys = source.weights.names
        let suffixes = AdapterLayout.peft.factorSuffixes
        let pairs = try AdapterParser.pairs(keys: keys, down: suffixes.down, up: suffixes.up)
        guard let r = config.r else { throw .badConfig("adapter_config.json has no r") }
        var modules: [LoraModule] = []
        for pair in pairs {
            let module = pair.stem.hasPrefix(keyPrefix) ? String(pair.stem.dropFirst(keyPrefix.count)) : pair.stem
            var down = try DiffusersLayout.tensor(source, pair.down)
            var up = try DiffusersLayout.tensor(source, pair.up)
            let rank = down.shape.first ?? 0
            let configRank = try config.rank(for: module) ?? r
            guard configRank == rank else {
                throw .badConfig("module \(module): adapter_config.json says r = \(configRank) but its factors have rank \(rank)")
            }
            let alpha = try config.alpha(for: module) ?? Double(configRank)
            if config.fanInFanOut {
                // Checked before the transpose, so that a message names the file's key and
                // the element's index in it.
                try LoraModule.requireFinite(down, key: pair.down)
                try LoraModule.requireFinite(up, key: pair.up)
                // Conv1D-style weights are stored in x out: delta W = (B A)^T = A^T B^T.
                let newDown = try up.transposed2D()
                let newUp = try down.transposed2D()
                down = newDown
                up = newUp
            }
            modules.append(LoraModule(module: module, sourceName: pair.stem, down: down, up: up, alpha: alpha, rsLoRA: config.useRSLoRA))
        }
        return try LoraAdapter(
            layout: .peft, prefix: "transformer", modules: modules,
            alphaSource: config.loraAlpha != nil ? .file : .rank, sourceMetadata: source.weights.metadata ?? [:])
    }
}
