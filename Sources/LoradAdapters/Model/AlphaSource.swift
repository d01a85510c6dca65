/// Where an adapter's alpha came from, which decides its scale.
public enum AlphaSource: String, Sendable, Hashable, Codable {
    /// Stored in the file: PEFT's `lora_alpha` (and `alpha_pattern`), diffusers'
    /// `lora_adapter_metadata`, kohya's `.alpha` tensors.
    case file
    /// Given by the user (`--alpha`), overriding the file for every module.
    case user
    /// Nothing stored: alpha = rank, diffusers' rule, so the scale is 1.
    case rank
}
