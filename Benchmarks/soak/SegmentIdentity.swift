/// What a segment lorad sends must hold, as the soak tracks it: the base, one adapter's
/// factors, or the fused overlay of a set.
enum SegmentIdentity: Hashable, Sendable, CustomStringConvertible {
    /// The session's base.
    case base
    /// The factors of the adapter called `adapter` (latest version).
    case factors(adapter: String)
    /// The fused overlay of a non-empty set.
    case overlay(SoakSet)

    /// Whether the identity is a factors segment's.
    var isFactors: Bool {
        if case .factors = self { true } else { false }
    }

    /// `base`, `factors of watercolor`, `overlay of watercolor*1.0`.
    var description: String {
        switch self {
        case .base: "base"
        case .factors(let adapter): "factors of \(adapter)"
        case .overlay(let set): "overlay of \(set)"
        }
    }
}
