/// The on-disk layout an adapter came in. lorad normalises all of them into one
/// ``LoraAdapter``; the layout is kept so that tools can say where it came from.
public enum AdapterLayout: String, Sendable, Hashable, Codable, CaseIterable {
    /// diffusers / CogVideo: `<prefix>.<module>.lora_A.weight` and `.lora_B.weight`,
    /// alpha in the `lora_adapter_metadata` JSON of `__metadata__` when present.
    case diffusers
    /// PEFT `save_pretrained` output: `adapter_config.json` and
    /// `adapter_model.safetensors` with keys `base_model.model.<module>.lora_A.weight`.
    case peft
    /// kohya / sd-scripts: `lora_<component>_<module with _ for .>.lora_down.weight`,
    /// `.lora_up.weight` and a 0-d `.alpha` tensor.
    case kohya

    /// What follows a module's key stem in the keys of its factors: A (down) and B (up).
    var factorSuffixes: (down: String, up: String) {
        switch self {
        case .diffusers, .peft: (".lora_A.weight", ".lora_B.weight")
        case .kohya: (".lora_down.weight", ".lora_up.weight")
        }
    }
}
