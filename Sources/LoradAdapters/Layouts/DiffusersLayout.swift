import LoradTensors

/// diffusers / CogVideo layout: `<prefix>.<module>.lora_A.weight` and
/// `.lora_B.weight`; alpha from `lora_adapter_metadata` when present, else
/// alpha = r (diffusers' rule, scale 1).
enum DiffusersLayout {
    /// Component prefixes diffusers writes in front of module paths.
    static let componentPrefixes: Set<String> = [
        "transformer", "unet", "prior", "text_encoder", "text_encoder_2", "text_encoder_3",
    ]
    /// The key in `__metadata__` that holds the LoRA config JSON.
    static let metadataKey = "lora_adapter_metadata"

    static func parse(_ source: AdapterSource) throws(AdapterError) -> LoraAdapter {
        let suffixes = AdapterLayout.diffusers.factorSuffixes
        let pairs = try AdapterParser.pairs(keys: source.weights.names, down: suffixes.down, up: suffixes.up)
        guard !pairs.isEmpty else { throw .noLoraTensors(detail: "\(source.origin) has no lora_A/lora_B pairs") }
        let prefix = mainPrefix(of: pairs.map(\.stem))
        let metadata = source.weights.metadata ?? [:]
        var config: LoraConfig?
        if let json = metadata[metadataKey] {
            config = try LoraConfig.diffusersMetadata(json: json, prefix: prefix)
        }
        if let config {
            if config.useDoRA { throw .unsupported(feature: "DoRA", detail: "lora_adapter_metadata says use_dora") }
            if config.loraBias { throw .unsupported(feature: "LoRA bias", detail: "lora_adapter_metadata says lora_bias") }
        }
        var modules: [LoraModule] = []
        for pair in pairs {
            let module = strip(prefix: prefix, from: pair.stem)
            let down = try tensor(source, pair.down)
            let up = try tensor(source, pair.up)
            let rank = down.shape.first ?? 0
            var alpha = Double(rank)
            var rsLoRA = false
            if let config {
                if let configRank = try config.rank(for: module), configRank != rank {
                    throw .badConfig("module \(module): lora_adapter_metadata says r = \(configRank) but its factors have rank \(rank)")
                }
                alpha = try config.alpha(for: module) ?? Double(rank)
                rsLoRA = config.useRSLoRA
            }
            modules.append(LoraModule(module: module, sourceName: pair.stem, down: down, up: up, alpha: alpha, rsLoRA: rsLoRA))
        }
        return try LoraAdapter(
            layout: .diffusers, prefix: prefix, modules: modules,
            alphaSource: config?.loraAlpha != nil ? .file : .rank, sourceMetadata: metadata)
    }

    /// The component prefix most keys share (`transformer` first), or "" when
    /// the keys carry none.
    static func mainPrefix(of stems: [String]) -> String {
        var counts: [String: Int] = [:]
        for stem in stems {
            let first = stem.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
            if componentPrefixes.contains(first) { counts[first, default: 0] += 1 }
        }
        if counts["transformer"] != nil { return "transformer" }
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? ""
    }

    static func strip(prefix: String, from stem: String) -> String {
        guard !prefix.isEmpty, stem.hasPrefix(prefix + ".") else { return stem }
        return String(stem.dropFirst(prefix.count + 1))
    }

    static func tensor(_ source: AdapterSource, _ key: String) throws(AdapterError) -> Tensor {
        guard let tensor = source.weights.tensor(named: key) else {
            throw .missingPartner(key: key, expected: key)
        }
        return tensor
    }
}
