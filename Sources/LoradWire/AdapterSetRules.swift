/// The rules of an adapter set (SWITCH, MERGE, a session's set after ATTACH), checked in
/// this one place by the daemon and by the clients before they send: at most
/// ``WireLimits/maxActiveAdapters`` entries, finite weights, each name once. Pure.
///
/// Check a whole set with ``firstViolation(in:)``; to interleave checks of one's own per
/// entry, start with ``violation(count:)`` and feed the entries in order to a value's
/// ``violation(name:weight:)``.
public struct AdapterSetRules: Sendable {
    /// A broken rule; the daemon and the clients word it for their users.
    public enum Violation: Error, Hashable, Sendable {
        /// More entries than a set may hold.
        case tooMany(count: Int, limit: Int)
        /// A weight that is NaN or infinite.
        case weightNotFinite(name: String, weight: Double)
        /// A name given twice.
        case duplicateName(String)
    }

    private var names: Set<String> = []

    /// A check with no entries seen yet.
    public init() {}

    /// ``Violation/tooMany(count:limit:)`` when a set of `count` entries is too large.
    public static func violation(count: Int) -> Violation? {
        count <= WireLimits.maxActiveAdapters ? nil : .tooMany(count: count, limit: WireLimits.maxActiveAdapters)
    }

    /// Checks the next entry of a set: its weight, then its name against the entries seen
    /// before it.
    public mutating func violation(name: String, weight: Double) -> Violation? {
        guard weight.isFinite else { return .weightNotFinite(name: name, weight: weight) }
        guard names.insert(name).inserted else { return .duplicateName(name) }
        return nil
    }

    /// The first rule `entries` break: the count first, then each entry in order; nil when
    /// the set keeps them all.
    public static func firstViolation(in entries: [(name: String, weight: Double)]) -> Violation? {
        if let tooMany = violation(count: entries.count) { return tooMany }
        var rules = AdapterSetRules()
        for entry in entries {
            if let broken = rules.violation(name: entry.name, weight: entry.weight) { return broken }
        }
        return nil
    }
}
