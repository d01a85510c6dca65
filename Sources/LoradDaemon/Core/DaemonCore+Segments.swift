import LoradAdapters
import LoradTensors
import LoradWire

extension DaemonCore {
    /// Takes one cache reference per key and returns the segments in key order, building
    /// the missing ones (factor segments in parallel across adapters). On failure every
    /// reference taken is released again.
    ///
    /// - Throws: `resource_exhausted` when a segment does not fit the budget, `cancelled`,
    ///   and the errors of loading and fusing adapters.
    func acquireSegments(
        _ keys: [SegmentKey], set: [SessionAdapter], base: ResidentBase, token: RequestToken
    ) throws -> [Segment] {
        var slots: [Segment?] = []
        state.withLock { state in slots = keys.map { state.cache.acquire($0) } }
        let missing = keys.indices.filter { slots[$0] == nil }
        let outcomes = ParallelWork.map(missing.count) { position in
            try token.check()
            return try self.buildSegment(keys[missing[position]], set: set, base: base, token: token)
        }
        var failure: (any Error)?
        for (position, index) in missing.enumerated() {
            switch outcomes[position] {
            case .success(let segment): slots[index] = segment
            case .failure(let error): failure = failure ?? error
            }
        }
        if let failure {
            let taken = keys.indices.filter { slots[$0] != nil }.map { keys[$0] }
            state.withLock { $0.release(taken) }
            throw failure
        }
        return slots.compactMap { $0 }
    }

    /// Builds the segment of `key` and inserts it in the cache holding one reference.
    private func buildSegment(_ key: SegmentKey, set: [SessionAdapter], base: ResidentBase, token: RequestToken) throws -> Segment {
        switch key {
        case .factors(let digest):
            guard let entry = set.first(where: { $0.digest == digest }) else {
                throw WireError(.internal, "no adapter of the set has digest \(digest); this is a lorad bug")
            }
            let adapter = try resolvedAdapter(entry, base: base)
            try token.check()
            let plan = try SegmentBuilder.planFactors(adapter)
            return try cached(key, bytes: plan.layout.totalSize) {
                try SegmentBuilder.factors(plan, key: entry.reference)
            }
        case .overlay:
            let adapters = try resolvedAdapters(set, base: base)
            try token.check()
            let metadata = [
                SegmentBuilder.overlayBaseKey: base.name,
                SegmentBuilder.overlayActiveKey: JSONText.array(set.map { entry in
                    JSONText.object([
                        ("name", JSONText.string(entry.name)), ("version", String(entry.version)),
                        ("digest", JSONText.string(entry.digest)), ("weight", JSONText.number(entry.weight)),
                    ])
                }),
            ]
            let plan = try SegmentBuilder.planOverlay(base: base.file, adapters: adapters, metadata: metadata)
            return try cached(key, bytes: plan.layout.totalSize) {
                try SegmentBuilder.overlay(plan, key: base.name, isCancelled: { token.isCancelled })
            }
        }
    }

    /// Reserves `bytes` in the budget (evicting cached segments), builds, and inserts the
    /// result under `key` with one reference. When another build of the same key won the
    /// race, its segment is returned and this one dropped.
    private func cached(_ key: SegmentKey, bytes: Int, build: () throws -> Segment) throws -> Segment {
        let evicted = try state.withLock { state throws in try state.cache.reserve(bytes) }
        withExtendedLifetime(evicted) {}
        let segment: Segment
        do {
            segment = try build()
        } catch {
            state.withLock { $0.cache.cancelReservation(bytes) }
            throw error
        }
        return state.withLock { $0.cache.insert(key, value: segment, bytes: bytes).value }
    }
}
