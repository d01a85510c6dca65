import LoradTensors

/// The per-module scales a factors segment carries in its `__metadata__` under
/// `lorad.scales`: a JSON object `{module: scale}` (scale = alpha / r, or alpha / sqrt(r)
/// with rsLoRA), applied before the session's weight.
enum FactorScales {
    /// The metadata key: `lorad.scales`.
    static let metadataKey = "lorad.scales"

    /// The scales in document order, or nil when the key is missing or not an object of
    /// finite numbers.
    static func read(from metadata: [String: String]?) -> [(module: String, scale: Double)]? {
        guard let text = metadata?[metadataKey] else { return nil }
        let bytes = Array(text.utf8)
        guard let value = try? bytes.withUnsafeBytes({ try JSONParser.parse($0) }),
            case .object(let members) = value
        else { return nil }
        var scales: [(module: String, scale: Double)] = []
        for member in members {
            guard let scale = member.value.doubleValue, scale.isFinite else { return nil }
            scales.append((member.key, scale))
        }
        return scales
    }
}
