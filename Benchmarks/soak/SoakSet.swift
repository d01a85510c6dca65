import LoradWire

/// An ordered active set of a session: adapter names (the latest version) with weights.
///
/// The soak only ever asks for sets of the ``pool(adapters:weights:)``, so that every reply
/// it gets has reference bytes to be compared with (see ``References``).
struct SoakSet: Hashable, Sendable, CustomStringConvertible {
    /// One adapter of the set.
    struct Term: Hashable, Sendable {
        /// The adapter's name in the store.
        var name: String
        /// Its weight (compared by bit pattern: `Double`'s `==`, never NaN here).
        var weight: Double
    }

    /// The adapters in set order.
    var terms: [Term]

    /// The empty set (the base alone).
    static let empty = SoakSet(terms: [])

    /// The request's form of the set (latest versions).
    var weightedAdapters: [WeightedAdapter] {
        terms.map { WeightedAdapter(adapter: AdapterRef(name: $0.name), weight: $0.weight) }
    }

    /// Whether an adapter called `name` is in the set.
    func contains(_ name: String) -> Bool { terms.contains { $0.name == name } }

    /// The set after ATTACH of `name` with `weight`: its weight replaced in place when the
    /// name is in the set, else appended (PROTOCOL.md, ATTACH).
    func attaching(_ name: String, weight: Double) -> SoakSet {
        var next = terms
        if let index = next.firstIndex(where: { $0.name == name }) {
            next[index].weight = weight
        } else {
            next.append(Term(name: name, weight: weight))
        }
        return SoakSet(terms: next)
    }

    /// The set after DETACH of `name`.
    func detaching(_ name: String) -> SoakSet {
        SoakSet(terms: terms.filter { $0.name != name })
    }

    /// `watercolor*1.0+disney*-0.5`, or `(base only)`.
    var description: String {
        terms.isEmpty ? "(base only)" : terms.map { "\($0.name)*\($0.weight)" }.joined(separator: "+")
    }

    /// The most adapters a pool set holds: ATTACH past it is not asked for.
    static let largest = 2

    /// Every ordered set of at most ``largest`` distinct `adapters`, each with a weight
    /// from `weights`, the empty set first: with 3 adapters and 2 weights, 1 + 6 + 24 = 31.
    static func pool(adapters: [String], weights: [Double]) -> [SoakSet] {
        var sets = [SoakSet.empty]
        var frontier = [SoakSet.empty]
        for _ in 0..<largest {
            var next: [SoakSet] = []
            for set in frontier {
                for name in adapters where !set.contains(name) {
                    for weight in weights {
                        next.append(SoakSet(terms: set.terms + [Term(name: name, weight: weight)]))
                    }
                }
            }
            sets += next
            frontier = next
        }
        return sets
    }
}
