import LoradWire

/// Everything the core's state lock protects: bases, sessions, the segment cache, pending
/// requests and the connections seen.
struct CoreState: Sendable {
    /// A pending request, for CANCEL and for closed connections.
    struct PendingKey: Hashable, Sendable {
        var connectionID: UInt64
        var requestID: UInt32
    }

    /// The bases, in configuration order.
    var bases: [BaseSlot] = []
    /// Bases a reload removed from the configuration while sessions were open on them: kept
    /// for those sessions only, dropped when the last one closes.
    var removedBases: [String: ResidentBase] = [:]
    /// Open sessions.
    var sessions: SessionTable
    /// Derived segments.
    var cache: SegmentCache<SegmentKey, Segment>
    /// Requests running on workers.
    var pending: [PendingKey: RequestToken] = [:]
    /// Connections that sent a request and have not closed.
    var connections: Set<UInt64> = []

    init(options: CoreOptions) {
        sessions = SessionTable(limitPerUID: options.sessionsPerUID)
        cache = SegmentCache(budget: options.memoryBudget)
    }

    /// The index of base `name`.
    func baseIndex(_ name: String) -> Int? { bases.firstIndex { $0.name == name } }

    /// The slot of base `name`.
    /// - Throws: `not_found` naming the configured bases.
    func slot(_ name: String) throws(WireError) -> BaseSlot {
        guard let index = baseIndex(name) else {
            let known = bases.map(\.name).joined(separator: ", ")
            throw WireError(.notFound, "no base named \(name) is configured (configured: \(known.isEmpty ? "none" : known)); LIST_BASES shows them")
        }
        return bases[index]
    }

    /// The resident base `name`.
    /// - Throws: `not_found`, or `not_ready` while it loads or after it failed.
    func readyBase(_ name: String) throws(WireError) -> ResidentBase {
        try slot(name).readyBase()
    }

    /// The base of an open session: the configured base `name`, or the removed one the
    /// session still holds.
    /// - Throws: as ``readyBase(_:)``.
    func sessionBase(_ name: String) throws(WireError) -> ResidentBase {
        if baseIndex(name) == nil, let removed = removedBases[name] { return removed }
        return try readyBase(name)
    }

    /// Drops the removed bases no open session uses any more (their memory is freed once
    /// clients unmap them).
    mutating func dropUnusedRemovedBases() {
        removedBases = removedBases.filter { sessions.uses(base: $0.key) }
    }

    /// The resident bases.
    var residentBases: [ResidentBase] { bases.compactMap(\.resident) }

    /// Releases one reference on each key.
    mutating func release(_ keys: [SegmentKey]) {
        for key in keys { cache.release(key) }
    }
}
