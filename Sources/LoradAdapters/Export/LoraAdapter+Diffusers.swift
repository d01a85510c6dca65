import LoradTensors

extension LoraAdapter {
    /// The adapter in diffusers layout: `<prefix>.<module>.lora_A.weight` and
    /// `.lora_B.weight` (no prefix when ``prefix`` is empty), tensors shared, not
    /// copied, in module order.
    public func diffusersTensors() -> [(name: String, tensor: Tensor)] {
        let lead = prefix.isEmpty ? "" : prefix + "."
        return modules.flatMap { module in
            [(name: lead + module.module + ".lora_A.weight", tensor: module.down),
             (name: lead + module.module + ".lora_B.weight", tensor: module.up)]
        }
    }

    /// The `__metadata__` a diffusers-layout file of this adapter carries: `format`
    /// and `lora_adapter_metadata`, a JSON object with `<prefix>.r` and
    /// `<prefix>.lora_alpha` (the most common rank and alpha), `rank_pattern` and
    /// `alpha_pattern` for modules that differ, `use_rslora` and `target_modules`,
    /// which diffusers reads back into the same scales. `target_modules` lists every
    /// module's full path (`ff.net.0.proj`): PEFT matches a target against the end of
    /// each module's path, so a last component alone (`proj`) would also wrap modules
    /// the adapter does not touch, such as CogVideoX's `patch_embed.proj`.
    public func diffusersMetadata() -> [String: String] {
        let lead = prefix.isEmpty ? "" : prefix + "."
        let commonRank = Self.mostCommon(modules.map(\.rank))
        let commonAlpha = Self.mostCommon(modules.map(\.alpha))
        var rankPattern: [(String, String)] = []
        var alphaPattern: [(String, String)] = []
        for module in modules {
            if module.rank != commonRank { rankPattern.append((module.module, String(module.rank))) }
            if module.alpha != commonAlpha { alphaPattern.append((module.module, JSONText.number(module.alpha))) }
        }
        let targets = modules.map(\.module).sorted()
        var fields: [(String, String)] = [
            (lead + "lora_alpha", JSONText.number(commonAlpha)),
            (lead + "r", String(commonRank)),
            (lead + "target_modules", "[" + targets.map(JSONText.string).joined(separator: ", ") + "]"),
        ]
        if modules.contains(where: \.rsLoRA) { fields.append((lead + "use_rslora", "true")) }
        if !rankPattern.isEmpty { fields.append((lead + "rank_pattern", JSONText.object(rankPattern))) }
        if !alphaPattern.isEmpty { fields.append((lead + "alpha_pattern", JSONText.object(alphaPattern))) }
        return [
            "format": "pt",
            DiffusersLayout.metadataKey: JSONText.object(fields.sorted { $0.0 < $1.0 }),
        ]
    }

    static func mostCommon<T: Hashable & Comparable>(_ values: [T]) -> T {
        var counts: [T: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? values[0]
    }
}

