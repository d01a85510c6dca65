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

    /// Throws when `weight` is NaN or infinite (the set rule for one entry).
    static func weight(_ weight: Double, of adapter: String) throws(LoradClientError) {
        if let broken = AdapterSetRules.firstViolation(in: [(adapter, weight)]) { throw invalid(broken) }
    }

    /// Checks an active set: at most 64 adapters, valid distinct names, finite weights
    /// (``AdapterSetRules``, with the name grammar checked first for each entry).
    static func set(_ adapters: [WeightedAdapter]) throws(LoradClientError) {
        if let tooMany = AdapterSetRules.violation(count: adapters.count) { throw invalid(tooMany) }
        var rules = AdapterSetRules()
        for entry in adapters {
            try name(entry.adapter.name, "adapter")
            if let broken = rules.violation(name: entry.adapter.name, weight: entry.weight) { throw invalid(broken) }
        }
    }

    /// The client's words for a broken set rule.
    private static func invalid(_ violation: AdapterSetRules.Violation) -> LoradClientError {
        switch violation {
        case .tooMany(let count, let limit):
            .invalidRequest("\(count) adapters in one set; at most \(limit) are allowed")
        case .weightNotFinite(let adapter, let weight):
            .invalidRequest("the weight of \(adapter) is \(weight); give a finite number")
        case .duplicateName(let adapter):
            .invalidRequest("adapter \(adapter) appears twice in the set; give each name once")
        }
    }
}
