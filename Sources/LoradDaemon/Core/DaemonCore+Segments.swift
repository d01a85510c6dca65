import LoradAdapters
import LoradSystem

extension DaemonCore {
    /// Takes one cache reference per key and returns the segments in key order, building
    /// the missing ones (factor segments in parallel across adapters). On failure every
    /// reference taken is released again.
    ///
    /// Runs on a worker thread, never on the server loop: a key another request is building
    /// is not built twice; this request waits for that build (see
    /// ``acquireSegments(_:token:recipe:)``).
    ///
    /// - Throws: `resource_exhausted` when a segment does not fit the budget, `cancelled`,
    ///   and the errors of loading and fusing adapters.
    func acquireSegments(
        _ keys: [SegmentKey], set: [SessionAdapter], base: ResidentBase, token: RequestToken
    ) throws -> [Segment] {
        try acquireSegments(keys, token: token) { key in
            try self.recipe(key, set: set, base: base, token: token)
        }
    }

    /// The single-flight engine behind ``acquireSegments(_:set:base:token:)``. `recipe` plans
    /// the build of a key this request builds. A key may repeat (two names of one pack in a
    /// factors set): it is built once and referenced once per occurrence.
    ///
    /// Rounds: claim every unresolved key under the state lock (``CoreState/claimSegment(_:)``:
    /// a hit, a build of ours, or a wait for another request's build); run our builds in
    /// parallel, each reserving its bytes and ending its ``SegmentBuild`` on every path; only
    /// then wait for the others' builds. So a thread that holds a build never waits (no
    /// deadlock between requests needing overlapping keys), and only the builder reserves
    /// budget. A waiter whose build succeeded takes its own reference
    /// (``SegmentCache/acquireShared(_:)``); one whose build failed reports the failure or
    /// claims the key again in the next round (``SegmentBuild/waitersRetry(after:)``). A
    /// cancelled waiter stops within one poll and releases only the references it took.
    func acquireSegments(
        _ keys: [SegmentKey], token: RequestToken, recipe: @escaping @Sendable (SegmentKey) throws -> SegmentBuild.Recipe
    ) throws -> [Segment] {
        var slots = [Segment?](repeating: nil, count: keys.count)
        var unresolved = Array(keys.indices)
        var failure: (any Error)?
        while failure == nil, !unresolved.isEmpty {
            var builds: [(index: Int, build: SegmentBuild)] = []
            var waits: [(index: Int, build: SegmentBuild)] = []
            state.withLock { state in
                for index in unresolved {
                    switch state.claimSegment(keys[index]) {
                    case .hit(let segment): slots[index] = segment
                    case .build(let build): builds.append((index, build))
                    case .wait(let build): waits.append((index, build))
                    }
                }
            }
            unresolved = []
            let claimed = builds
            let outcomes = Parallel.map(count: claimed.count, missing: DaemonBug.jobDidNotRun) { position in
                try self.build(keys[claimed[position].index], claimed[position].build, token: token, recipe: recipe)
            }
            for (position, outcome) in outcomes.enumerated() {
                switch outcome {
                case .success(let segment): slots[claimed[position].index] = segment
                case .failure(let error): failure = failure ?? error
                }
            }
            for (index, build) in waits where failure == nil {
                do {
                    if let error = try build.wait(token: token) {
                        guard SegmentBuild.waitersRetry(after: error) else { throw error }
                        unresolved.append(index)
                    } else if let segment = state.withLock({ $0.cache.acquireShared(keys[index]) }) {
                        slots[index] = segment
                    } else {
                        unresolved.append(index)
                    }
                } catch {
                    failure = error
                }
            }
        }
        if let failure {
            let taken = keys.indices.filter { slots[$0] != nil }.map { keys[$0] }
            state.withLock { $0.release(taken) }
            throw failure
        }
        return slots.compactMap { $0 }
    }

    /// Builds the segment of `key` as the holder of `build`: reserves its bytes (evicting
    /// cached segments), builds, and inserts it in the cache holding one reference. Ends
    /// `build` on every path, returning the reservation on failure.
    private func build(
        _ key: SegmentKey, _ build: SegmentBuild, token: RequestToken,
        recipe: (SegmentKey) throws -> SegmentBuild.Recipe
    ) throws -> Segment {
        var reserved = 0
        do {
            try token.check()
            let plan = try recipe(key)
            let evicted = try state.withLock { state throws in try state.cache.reserve(plan.bytes) }
            withExtendedLifetime(evicted) {}
            reserved = plan.bytes
            let made = try plan.make()
            let segment = state.withLock { $0.finishSegment(key, build: build, segment: made, bytes: reserved) }
            build.finish(failure: nil)
            return segment
        } catch {
            state.withLock { $0.abandonSegment(key, build: build, reservedBytes: reserved) }
            build.finish(failure: error)
            throw error
        }
    }

    /// Plans the segment of `key` for a session on `base` with `set`: resolves the adapters
    /// (decompressing them when not memoized) and lays the file out.
    /// - Throws: the errors of loading and resolving adapters, `cancelled`.
    func recipe(_ key: SegmentKey, set: [SessionAdapter], base: ResidentBase, token: RequestToken) throws -> SegmentBuild.Recipe {
        switch key {
        case .factors(let digest):
            guard let entry = set.first(where: { $0.digest == digest }) else {
                throw DaemonBug("no adapter of the set has digest \(digest)")
            }
            let adapter = try resolvedAdapter(entry, base: base)
            try token.check()
            let plan = try SegmentBuilder.planFactors(adapter)
            return SegmentBuild.Recipe(bytes: plan.layout.totalSize) {
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
            return SegmentBuild.Recipe(bytes: plan.layout.totalSize) {
                try SegmentBuilder.overlay(plan, key: base.name, isCancelled: { token.isCancelled })
            }
        }
    }
}
