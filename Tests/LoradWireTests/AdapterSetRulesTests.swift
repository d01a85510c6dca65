import LoradWire
import Testing

@Suite struct AdapterSetRulesTests {
    @Test func aValidSetBreaksNoRule() {
        #expect(AdapterSetRules.firstViolation(in: []) == nil)
        #expect(AdapterSetRules.firstViolation(in: [("a", 0.8), ("b", -1), ("c", 0)]) == nil)
        let full = (0..<WireLimits.maxActiveAdapters).map { (name: "a\($0)", weight: 1.0) }
        #expect(AdapterSetRules.firstViolation(in: full) == nil)
    }

    @Test func theFirstBrokenRuleIsReported() {
        let tooMany = (0...WireLimits.maxActiveAdapters).map { (name: "a\($0)", weight: Double.nan) }
        #expect(AdapterSetRules.firstViolation(in: tooMany) == .tooMany(count: 65, limit: 64))
        #expect(AdapterSetRules.firstViolation(in: [("a", 1), ("b", .infinity), ("a", 1)]) == .weightNotFinite(name: "b", weight: .infinity))
        // The weight is checked before the name: a repeated name with a NaN weight is a weight problem.
        guard case .weightNotFinite("a", let weight)? = AdapterSetRules.firstViolation(in: [("a", 1), ("b", 1), ("a", .nan)]) else {
            Issue.record("a NaN weight is not reported")
            return
        }
        #expect(weight.isNaN)
        #expect(AdapterSetRules.firstViolation(in: [("a", 1), ("b", 1), ("a", 2)]) == .duplicateName("a"))
    }

    @Test func entriesCanBeCheckedOneByOne() {
        #expect(AdapterSetRules.violation(count: 64) == nil)
        #expect(AdapterSetRules.violation(count: 65) == .tooMany(count: 65, limit: 64))
        var rules = AdapterSetRules()
        #expect(rules.violation(name: "a", weight: 1) == nil)
        #expect(rules.violation(name: "b", weight: -.infinity) == .weightNotFinite(name: "b", weight: -.infinity))
        #expect(rules.violation(name: "A", weight: 1) == nil)
        #expect(rules.violation(name: "a", weight: 2) == .duplicateName("a"))
    }
}
