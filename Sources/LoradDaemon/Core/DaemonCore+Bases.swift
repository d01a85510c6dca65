import LoradTensors
import LoradWire

extension DaemonCore {
    /// Starts loading `bases` (name and path of a `.safetensors` file or a folder of shards,
    /// in configuration order) into base segments, one after another on a background queue,
    /// and returns at once. Each base is `loading` until it is `ready` (resident) or
    /// `failed`; requests naming it get `not_ready` meanwhile, all others work.
    ///
    /// A name already known keeps its place; its path is replaced and it is loaded again
    /// unless it is loading now.
    /// - Parameter onSettled: called once per base from the loading thread, with the base's
    ///   name and nil when it is ready or the error's one-line description when it failed.
    public func loadBases(
        _ bases: [(name: String, path: String)], onSettled: (@Sendable (String, String?) -> Void)? = nil
    ) {
        let accepted: [(name: String, path: String)] = state.withLock { state in
            var accepted: [(name: String, path: String)] = []
            for (name, path) in bases {
                let slot = BaseSlot(name: name, path: path, status: .loading(done: 0, total: 0))
                if let index = state.baseIndex(name) {
                    state.bases[index].retired = false
                    if case .loading = state.bases[index].status { continue }
                    state.bases[index] = slot
                } else {
                    state.bases.append(slot)
                }
                accepted.append((name, path))
            }
            return accepted
        }
        for (name, path) in accepted {
            baseLoader.async { [self] in loadBase(name: name, path: path, onSettled: onSettled) }
        }
    }

    /// Marks `names` as removed from the configuration (SIGHUP reload): OPEN_SESSION on them
    /// gets `not_found`; sessions already open keep their base and segments, which stay
    /// resident until those sessions close and lorad restarts. Unknown names are ignored;
    /// ``loadBases(_:onSettled:)`` with the name makes it available again.
    public func retireBases(_ names: [String]) {
        state.withLock { state in
            for name in names {
                if let index = state.baseIndex(name) { state.bases[index].retired = true }
            }
        }
    }

    /// The state of base `name`, nil when it is not configured.
    public func baseState(_ name: String) -> BaseState? {
        state.withLock { state in state.baseIndex(name).map { state.bases[$0].info.state } }
    }

    /// Loads one base: opens the model, copies it into a sealed segment, maps and parses it.
    func loadBase(name: String, path: String, onSettled: (@Sendable (String, String?) -> Void)?) {
        let outcome: Result<ResidentBase, any Error>
        do {
            try DaemonCore.validateName(name, field: "base")
            let model = try SafetensorsModel.open(path: path)
            let segment = try SegmentBuilder.base(from: model, name: name) { done, total in
                if done == total || done % 64 == 0 { self.setBaseStatus(name, .loading(done: done, total: total)) }
            }
            outcome = .success(try ResidentBase(name: name, segment: segment))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let base):
            setBaseStatus(name, .ready(base))
            onSettled?(name, nil)
        case .failure(let error):
            let message = "\(error)"
            setBaseStatus(name, .failed(message))
            onSettled?(name, message)
        }
    }

    private func setBaseStatus(_ name: String, _ status: BaseSlot.Status) {
        state.withLock { state in
            if let index = state.baseIndex(name) { state.bases[index].status = status }
        }
    }

    /// EVICT (admin): drops every unreferenced cached segment and, when asked, the base's
    /// resident segment if no session uses it (it is loaded again when next opened).
    /// - Throws: `not_found` (base), `in_use` (a session is on the base).
    func evict(_ request: EvictRequest) throws -> EvictReply {
        if let name = request.base { try DaemonCore.validateName(name, field: "base") }
        let (dropped, reply) = try state.withLock { state throws -> ([Segment], EvictReply) in
            var baseSegment: [Segment] = []
            if let name = request.base {
                let slot = try state.slot(name)
                if state.sessions.uses(base: name) {
                    throw WireError(.inUse, "base \(name) is used by open sessions; close them first")
                }
                if let resident = slot.resident, let index = state.baseIndex(name) {
                    state.bases[index].status = .configured
                    baseSegment = [resident.segment]
                }
            }
            let evicted = state.cache.evictUnreferenced()
            let all = evicted.values + baseSegment
            let bytes = evicted.bytes + baseSegment.reduce(0) { $0 + $1.byteSize }
            return (all, EvictReply(segmentsEvicted: UInt32(clamping: all.count), bytesFreed: UInt64(bytes)))
        }
        withExtendedLifetime(dropped) {}
        return reply
    }

    /// Figures for systemd's STATUS= line: bases, sessions, segment memory.
    public func statusLine() -> String {
        state.withLock { state in
            let ready = state.bases.filter { $0.resident != nil }.count
            var loading: [String] = []
            for slot in state.bases {
                if case .loading(let done, let total) = slot.status {
                    loading.append(total > 0 ? "\(slot.name) \(done * 100 / total)%" : slot.name)
                }
            }
            let failed = state.bases.filter { if case .failed = $0.status { true } else { false } }.count
            let cache = state.cache.stats
            var parts = ["bases \(ready)/\(state.bases.count) ready"]
            if !loading.isEmpty { parts.append("loading " + loading.joined(separator: ", ")) }
            if failed > 0 { parts.append("\(failed) failed") }
            parts.append("\(state.sessions.count) sessions")
            parts.append(
                "segments \(DaemonCore.mebibytes(cache.referencedBytes)) held + \(DaemonCore.mebibytes(cache.cachedBytes)) cached of \(DaemonCore.mebibytes(cache.budget))"
            )
            return parts.joined(separator: ", ")
        }
    }

    /// `12.5 MiB`.
    static func mebibytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + (1 << 19)) >> 20
        return "\(tenths / 10).\(tenths % 10) MiB"
    }
}
