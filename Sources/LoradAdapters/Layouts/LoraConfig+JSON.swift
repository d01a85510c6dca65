import LoradTensors

extension LoraConfig {
    /// Reads PEFT's `adapter_config.json`.
    static func peft(json bytes: [UInt8]) throws(AdapterError) -> LoraConfig {
        let object = try jsonObject(bytes, what: "adapter_config.json")
        if case .string(let type)? = object["peft_type"], type.uppercased() != "LORA" {
            throw .unsupported(feature: "PEFT type \(type)", detail: "only LORA adapters are supported")
        }
        return try config(from: object, prefix: "", what: "adapter_config.json")
    }

    /// Reads diffusers' `lora_adapter_metadata` (keys prefixed by the component,
    /// e.g. `transformer.r`). Returns nil when it holds nothing for `prefix`.
    static func diffusersMetadata(json text: String, prefix: String) throws(AdapterError) -> LoraConfig? {
        let object = try jsonObject(Array(text.utf8), what: "lora_adapter_metadata")
        let keyPrefix = prefix.isEmpty ? "" : prefix + "."
        guard case .object(let members) = object, members.contains(where: { $0.key.hasPrefix(keyPrefix) }) else { return nil }
        return try config(from: object, prefix: keyPrefix, what: "lora_adapter_metadata")
    }

    private static func jsonObject(_ bytes: [UInt8], what: String) throws(AdapterError) -> JSONValue {
        guard bytes.count <= 16 << 20 else { throw .badConfig("\(what) is larger than 16 MiB") }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .badConfig("\(what) is not valid UTF-8") }
        let parsed: JSONValue
        do {
            parsed = try bytes.withUnsafeBytes { raw throws(JSONParser.Failure) in try JSONParser.parse(raw) }
        } catch {
            throw .badConfig("\(what) is not valid JSON: \(error)")
        }
        guard case .object = parsed else { throw .badConfig("\(what) is not a JSON object") }
        return parsed
    }

    private static func config(from object: JSONValue, prefix: String, what: String) throws(AdapterError) -> LoraConfig {
        func value(_ key: String) -> JSONValue? {
            guard let v = object[prefix + key] else { return nil }
            if case .null = v { return nil }
            return v
        }
        func number(_ key: String) throws(AdapterError) -> Double? {
            guard let v = value(key) else { return nil }
            guard let d = v.doubleValue, d.isFinite else { throw .badConfig("\(what): \(prefix + key) must be a number, not \(v.kind)") }
            return d
        }
        func flag(_ key: String) throws(AdapterError) -> Bool {
            guard let v = value(key) else { return false }
            switch v {
            case .bool(let b): return b
            case .string(let s): return !s.isEmpty && s != "none"  // lora_bias may be a mode string
            default: throw .badConfig("\(what): \(prefix + key) must be true or false, not \(v.kind)")
            }
        }
        func positiveInteger(_ d: Double) -> Int? {
            d >= 1 && d == d.rounded() && d < Double(1 << 24) ? Int(d) : nil
        }
        var config = LoraConfig()
        if let r = try number("r") {
            guard let rank = positiveInteger(r) else { throw .badConfig("\(what): r must be a positive integer, not \(r)") }
            config.r = rank
        }
        config.loraAlpha = try number("lora_alpha")
        config.useRSLoRA = try flag("use_rslora")
        config.fanInFanOut = try flag("fan_in_fan_out")
        config.useDoRA = try flag("use_dora")
        config.loraBias = try flag("lora_bias")
        if let pattern = value("rank_pattern") {
            guard case .object(let members) = pattern else { throw .badConfig("\(what): rank_pattern must be an object") }
            for (key, v) in members {
                guard let rank = v.doubleValue.flatMap(positiveInteger) else {
                    throw .badConfig("\(what): rank_pattern[\(key)] must be a positive integer")
                }
                config.rankPattern[key] = rank
            }
        }
        if let pattern = value("alpha_pattern") {
            guard case .object(let members) = pattern else { throw .badConfig("\(what): alpha_pattern must be an object") }
            for (key, v) in members {
                guard let alpha = v.doubleValue, alpha.isFinite else { throw .badConfig("\(what): alpha_pattern[\(key)] must be a number") }
                config.alphaPattern[key] = alpha
            }
        }
        if case .array(let saved)? = value("modules_to_save") {
            config.modulesToSave = saved.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }
        return config
    }
}
