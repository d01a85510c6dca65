
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
    /// Segments being built, by key: at most one build per key at a time (see
    /// ``claimSegment(_:)``). A key is never both here and in `cache`.
    var building: [SegmentKey: SegmentBuild] = [:]
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
    func slot(_ name: String) throws(BaseError) -> BaseSlot {
        guard let index = baseIndex(name) else {
            throw .notConfigured(name: name, configured: bases.map(\.name))
        }
        return bases[index]
    }

    /// The resident base `name`.
    /// - Throws: `not_found`, or `not_ready` while it loads or after it failed.
    func readyBase(_ name: String) throws(BaseError) -> ResidentBase {
        try slot(name).readyBase()
    }

    /// The base of an open session: the configured base `name`, or the removed one the
    /// session still holds.
    /// - Throws: as ``readyBase(_:)``.
    func sessionBase(_ name: String) throws(BaseError) -> ResidentBase {
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

    /// What a request should do about a segment key it needs.
    enum SegmentClaim {
        /// The segment was cached; one reference was taken.
        case hit(Segment)
        /// Nobody builds it: the caller builds it and must end with ``finishSegment(_:build:segment:bytes:)``
        /// or ``abandonSegment(_:build:reservedBytes:)``.
        case build(SegmentBuild)
        /// Another request builds it: wait for that build, then ``SegmentCache/acquireShared(_:)``.
        case wait(SegmentBuild)
    }

    /// Looks `key` up for a request: a hit takes a reference; a key being built is waited
    /// for; otherwise the caller becomes its builder (counted as a miss).
    mutating func claimSegment(_ key: SegmentKey) -> SegmentClaim {
        if let build = building[key] { return .wait(build) }
        if let segment = cache.acquire(key) { return .hit(segment) }
        let build = SegmentBuild()
        building[key] = build
        return .build(build)
    }

    /// Ends `build` of `key` with its segment, built under a reservation of `bytes`: caches it
    /// holding the builder's reference and unregisters the build. The caller then calls
    /// ``SegmentBuild/finish(failure:)``.
    /// - Returns: the segment now cached under `key`.
    mutating func finishSegment(_ key: SegmentKey, build: SegmentBuild, segment: Segment, bytes: Int) -> Segment {
        if building[key] === build { building[key] = nil }
        return cache.insert(key, value: segment, bytes: bytes).value
    }

    /// Ends a failed `build` of `key`: returns its reservation (0 when it failed before
    /// reserving) and unregisters it. The caller then calls ``SegmentBuild/finish(failure:)``.
    mutating func abandonSegment(_ key: SegmentKey, build: SegmentBuild, reservedBytes: Int) {
        if building[key] === build { building[key] = nil }
        cache.cancelReservation(reservedBytes)
    }

    /// Releases one reference on each key.
    mutating func release(_ keys: [SegmentKey]) {
        for key in keys { cache.release(key) }
    }
}
