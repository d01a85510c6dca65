import LoradWire

/// Client-side checks run before a request is encoded, so that a mistake is reported with
/// the field's name (as `LoradClientError.invalidRequest`) instead of a server round trip.
enum RequestValidation {
    /// Throws when `name` breaks the name grammar (`WireName`).
    static func name(_ name: String, _ field: String) throws(LoradClientError) {
        do {
            try WireName.validate(name, field: field)
        } catch {
            throw .invalidRequest(error.message)
        }
    }

    /// Throws when `weight` is NaN or infinite.
    static func weight(_ weight: Double, of adapter: String) throws(LoradClientError) {
        guard weight.isFinite else {
            throw .invalidRequest("the weight of \(adapter) is \(weight); give a finite number")
        }
    }

    /// Checks an active set: at most 64 adapters, valid distinct names, finite weights.
    static func set(_ adapters: [WeightedAdapter]) throws(LoradClientError) {
        guard adapters.count <= WireLimits.maxActiveAdapters else {
            throw .invalidRequest(
                "\(adapters.count) adapters in one set; at most \(WireLimits.maxActiveAdapters) are allowed")
        }
        var seen = Set<String>()
        for entry in adapters {
            try name(entry.adapter.name, "adapter")
            try weight(entry.weight, of: entry.adapter.name)
            guard seen.insert(entry.adapter.name).inserted else {
                throw .invalidRequest("adapter \(entry.adapter.name) appears twice in the set; give each name once")
            }
        }
    }
}
