import LoradWire

/// One client session: a base, a delivery mode and an ordered active set of adapters, owned
/// by one connection. A pure state machine: the methods compute new sets and check the
/// rules; the core builds segments for a set and then ``commit(active:held:)``s it.
///
/// Rules: names in a set are distinct; weights are finite; a set holds at most
/// ``maxAdapters``; ATTACH of a name already in the set replaces its version and weight in
/// place (PROTOCOL.md); DETACH of a name not in the set is `not_found`; every committed
/// change bumps ``generation`` by one.
public struct Session: Sendable, Hashable {
    /// The most adapters one set may hold (the protocol's bound).
    public static let maxAdapters = WireLimits.maxActiveAdapters

    /// The session id (unique for the daemon's lifetime, from 1).
    public let id: UInt64
    /// The connection that opened it and alone may use it.
    public let connectionID: UInt64
    /// The uid of that connection's peer (for the per-uid session limit).
    public let uid: UInt32
    /// The base's configured name.
    public let base: String
    /// Factor segments or a fused overlay.
    public let mode: SessionMode
    /// The active set, in order.
    public private(set) var active: [SessionAdapter] = []
    /// 0 when opened; +1 per committed change.
    public private(set) var generation: UInt64 = 0
    /// The derived segments the session holds a cache reference on, in reply order (for
    /// factors mode one per active adapter; for fused mode one overlay when the set is not
    /// empty).
    public private(set) var held: [SegmentKey] = []

    /// A new session with an empty set at generation 0.
    public init(id: UInt64, connectionID: UInt64, uid: UInt32, base: String, mode: SessionMode) {
        self.id = id
        self.connectionID = connectionID
        self.uid = uid
        self.base = base
        self.mode = mode
    }

    /// The set after ATTACH of `adapter`: appended, or replacing the entry of the same name
    /// in place.
    /// - Throws: ``SessionError/weightNotFinite(name:weight:)``, ``SessionError/setFull(count:limit:)``.
    public func attaching(_ adapter: SessionAdapter) throws(SessionError) -> [SessionAdapter] {
        var next = active
        if let index = next.firstIndex(where: { $0.name == adapter.name }) {
            next[index] = adapter
        } else {
            next.append(adapter)
        }
        return try Session.validated(next)
    }

    /// The set after DETACH of `name`.
    /// - Throws: ``SessionError/notActive(name:session:)``.
    public func detaching(_ name: String) throws(SessionError) -> [SessionAdapter] {
        guard active.contains(where: { $0.name == name }) else { throw .notActive(name: name, session: id) }
        return active.filter { $0.name != name }
    }

    /// Checks a whole new set (SWITCH): at most ``maxAdapters``, finite weights, distinct names
    /// (``AdapterSetRules``).
    /// - Returns: the set unchanged.
    /// - Throws: the first ``SessionError`` found.
    public static func validated(_ set: [SessionAdapter]) throws(SessionError) -> [SessionAdapter] {
        try check(set.map { ($0.name, $0.weight) })
        return set
    }

    /// Checks a set as requested (SWITCH, MERGE), before its adapters are resolved.
    /// - Throws: the first ``SessionError`` found, as ``validated(_:)``.
    public static func check(_ requested: [(name: String, weight: Double)]) throws(SessionError) {
        if let broken = AdapterSetRules.firstViolation(in: requested) { throw SessionError(broken) }
    }

    /// The derived segments a session of `mode` needs for `set`, in reply order; `base`
    /// identifies the resident base an overlay is fused from.
    public static func segmentKeys(base: String, mode: SessionMode, set: [SessionAdapter]) -> [SegmentKey] {
        switch mode {
        case .factors:
            return set.map { .factors(adapterDigest: $0.digest) }
        case .fused:
            guard !set.isEmpty else { return [] }
            return [.overlay(base: base, set: set.map { SegmentKey.OverlayTerm(digest: $0.digest, weight: $0.weight) })]
        }
    }

    /// Makes `active` the set, holding `held`, and bumps the generation.
    /// - Returns: the keys held before, for the caller to release (after it acquired `held`).
    public mutating func commit(active: [SessionAdapter], held: [SegmentKey]) -> [SegmentKey] {
        let previous = self.held
        self.active = active
        self.held = held
        generation += 1
        return previous
    }

    /// Ends the session: empties the set.
    /// - Returns: the keys it held, for the caller to release.
    public mutating func close() -> [SegmentKey] {
        let previous = held
        held = []
        active = []
        return previous
    }
}
