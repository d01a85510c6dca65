import LoradTensors

/// Turns an ``AdapterSource`` in any supported layout into one normalised
/// ``LoraAdapter``. Pure: it reads only the source's mapped bytes.
public enum AdapterParser {
    /// Detects the layout and normalises the adapter.
    ///
    /// - Parameter alpha: a user-given alpha that overrides whatever the file
    ///   says, for every module.
    /// - Throws: ``AdapterError`` naming the first problem: unsupported features
    ///   (DoRA, conv, bias, embeddings) are refused, never applied wrongly.
    public static func parse(_ source: AdapterSource, alpha: Double? = nil) throws(AdapterError) -> LoraAdapter {
        let keys = source.weights.names
        try refuseUnsupported(keys: keys)
        let layout = try detectLayout(keys: keys, hasConfig: source.configJSON != nil, origin: source.origin)
        var adapter: LoraAdapter
        switch layout {
        case .diffusers: adapter = try DiffusersLayout.parse(source)
        case .peft: adapter = try PEFTLayout.parse(source)
        case .kohya: adapter = try KohyaLayout.parse(source)
        }
        if let alpha {
            guard alpha.isFinite else { throw .badAlpha(module: "--alpha", value: alpha) }
            adapter = adapter.withAlpha(alpha)
        }
        return adapter
    }

    /// The layout the keys are in.
    static func detectLayout(keys: [String], hasConfig: Bool, origin: String) throws(AdapterError) -> AdapterLayout {
        if keys.contains(where: { $0.hasSuffix(".lora_down.weight") || $0.hasSuffix(".lora_up.weight") }) {
            return .kohya
        }
        if keys.contains(where: { $0.contains(".lora_A.") || $0.contains(".lora_B.") }) {
            if hasConfig || keys.contains(where: { $0.hasPrefix(PEFTLayout.keyPrefix) }) { return .peft }
            return .diffusers
        }
        throw .unrecognised(path: origin, detail: "no lora_A/lora_B or lora_down/lora_up keys among \(keys.count) tensors")
    }

    /// Refuses layouts and features that lorad does not apply.
    static func refuseUnsupported(keys: [String]) throws(AdapterError) {
        for key in keys {
            if key.contains("lora_magnitude_vector") || key.hasSuffix(".dora_scale") {
                throw .unsupported(feature: "DoRA", detail: "key \(key); merge the DoRA adapter with its own library first")
            }
            if key.contains("lora_embedding_A") || key.contains("lora_embedding_B") {
                throw .unsupported(feature: "embedding LoRA", detail: "key \(key)")
            }
            if (key.contains(".lora_B.") || key.contains(".lora_up.")) && key.hasSuffix(".bias") {
                throw .unsupported(feature: "LoRA bias", detail: "key \(key)")
            }
            if key.contains(".hada_w") || key.contains(".lokr_w") {
                throw .unsupported(feature: "LyCORIS (LoHa/LoKr)", detail: "key \(key)")
            }
        }
    }

    /// Splits keys of the form `<stem><marker><suffix>` into pairs keyed by stem.
    static func pairs(
        keys: [String], down downMarker: String, up upMarker: String, extra: (String) -> Bool = { _ in false }
    ) throws(AdapterError) -> [(stem: String, down: String, up: String)] {
        var downs: [String: String] = [:]
        var ups: [String: String] = [:]
        var stray: [String] = []
        for key in keys {
            if key.hasSuffix(downMarker) {
                downs[String(key.dropLast(downMarker.count))] = key
            } else if key.hasSuffix(upMarker) {
                ups[String(key.dropLast(upMarker.count))] = key
            } else if !extra(key) {
                stray.append(key)
            }
        }
        if !stray.isEmpty {
            throw .unexpectedKeys(stray.sorted())
        }
        for (stem, key) in downs.sorted(by: { $0.key < $1.key }) where ups[stem] == nil {
            throw .missingPartner(key: key, expected: stem + upMarker)
        }
        for (stem, key) in ups.sorted(by: { $0.key < $1.key }) where downs[stem] == nil {
            throw .missingPartner(key: key, expected: stem + downMarker)
        }
        return downs.sorted { $0.key < $1.key }.compactMap { stem, down in
            ups[stem].map { (stem: stem, down: down, up: $0) }
        }
    }
}
