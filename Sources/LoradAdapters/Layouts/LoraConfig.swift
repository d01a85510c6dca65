import Foundation

/// The LoRA hyper-parameters that decide each module's scale, as PEFT's
/// `adapter_config.json` or diffusers' `lora_adapter_metadata` store them.
struct LoraConfig: Sendable, Equatable {
    /// Default rank.
    var r: Int?
    /// Default alpha.
    var loraAlpha: Double?
    /// alpha / sqrt(r) instead of alpha / r.
    var useRSLoRA = false
    /// Per-module rank overrides, keyed by a module name or regex suffix.
    var rankPattern: [String: Int] = [:]
    /// Per-module alpha overrides.
    var alphaPattern: [String: Double] = [:]
    /// PEFT's Conv1D orientation: factors stored transposed.
    var fanInFanOut = false
    /// DoRA (refused).
    var useDoRA = false
    /// LoRA bias (refused).
    var loraBias = false
    /// Modules saved whole (refused: not a LoRA).
    var modulesToSave: [String] = []

    /// The rank the config gives `module` (rank_pattern, else r).
    func rank(for module: String) throws(AdapterError) -> Int? {
        if let key = try Self.patternKey(in: Array(rankPattern.keys), matching: module) { return rankPattern[key] }
        return r
    }

    /// The alpha the config gives `module` (alpha_pattern, else lora_alpha).
    func alpha(for module: String) throws(AdapterError) -> Double? {
        if let key = try Self.patternKey(in: Array(alphaPattern.keys), matching: module) { return alphaPattern[key] }
        return loraAlpha
    }

    /// PEFT's pattern rule: a key matches a module when it equals it or when the
    /// module matches the regex `(.*\.)?(KEY)$` from its start; an exact key wins,
    /// then the longest matching key (deterministic where PEFT takes dict order).
    static func patternKey(in keys: [String], matching module: String) throws(AdapterError) -> String? {
        if keys.contains(module) { return module }
        var best: String?
        for key in keys.sorted(by: { ($0.count, $1) > ($1.count, $0) }) {
            let regex: NSRegularExpression
            do {
                regex = try NSRegularExpression(pattern: "^(.*\\.)?(\(key))$")
            } catch {
                throw .badConfig("pattern key \"\(key)\" is not a valid regular expression")
            }
            let range = NSRange(module.startIndex..., in: module)
            if regex.firstMatch(in: module, range: range) != nil {
                best = key
                break
            }
        }
        return best
    }
}
