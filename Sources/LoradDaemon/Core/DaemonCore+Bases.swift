import LoradTensors
import LoradWire

extension DaemonCore {
    /// Starts loading `bases` (name and path of a `.safetensors` file or a folder of shards,
    /// in configuration order) into base segments, one after another on a background queue,
    /// and returns at once. Each base is `loading` until it is `ready` (resident) or
    /// `failed`; requests naming it get `not_ready` meanwhile, all others work. With an fd
    /// store (``useFdStore(_:)``) a base passed back by systemd is checked and adopted
    /// instead of read, and a base read from its file is stored.
    ///
    /// A name already known keeps its place; its path is replaced and it is loaded again
    /// unless it is loading now.
    /// - Parameter onSettled: called once per base from the loading thread, with the base's
    ///   name and nil when it is ready or the error's one-line description when it failed.
    public func loadBases(
        _ bases: [(name: String, path: String)], onSettled: (@Sendable (String, String?) -> Void)? = nil
    ) {
        let accepted: [(name: String, path: String, replaced: Bool)] = state.withLock { state in
            var accepted: [(name: String, path: String, replaced: Bool)] = []
            for (name, path) in bases {
                let slot = BaseSlot(name: name, path: path, status: .loading(done: 0, total: 0))
                var replaced = false
                if let index = state.baseIndex(name) {
                    if case .loading = state.bases[index].status { continue }
                    replaced = state.bases[index].path != path
                    state.bases[index] = slot
                } else {
                    state.bases.append(slot)
                }
                accepted.append((name, path, replaced))
            }
            return accepted
        }
        for (name, path, replaced) in accepted {
            baseLoader.async { [self] in
                // Another file under the same name: the stored segment is stale from now on.
                if replaced { fdStore?.remove(base: name) }
                loadBase(name: name, path: path, onSettled: onSettled)
            }
        }
    }

    /// Uses `fdStore` from now on: bases it holds are adopted by ``loadBases(_:onSettled:)``,
    /// bases read from their files are stored in it, removed and evicted ones removed.
    public func useFdStore(_ fdStore: BaseFdStore) {
        fdStoreHolder.withLock { $0 = fdStore }
    }

    /// The fd store in use, if any.
    var fdStore: BaseFdStore? { fdStoreHolder.withLock { $0 } }

    /// Removes `names` from the configuration (SIGHUP reload): they leave LIST_BASES and the
    /// fd store at once, and OPEN_SESSION on them gets `not_found`. Sessions already open on
    /// them keep their base (and can still switch) until they close; then the segment is
    /// dropped, and its memory is freed once no client maps it. Unknown names are ignored;
    /// ``loadBases(_:onSettled:)`` with the name makes it available again.
    public func removeBases(_ names: [String]) {
        let removed: [String] = state.withLock { state in
            var removed: [String] = []
            for name in names {
                guard let index = state.baseIndex(name) else { continue }
                let slot = state.bases.remove(at: index)
                if let resident = slot.resident, state.sessions.uses(base: name) { state.removedBases[name] = resident }
                removed.append(name)
            }
            return removed
        }
        guard !removed.isEmpty else { return }
        baseLoader.async { [self] in
            for name in removed { fdStore?.remove(base: name) }
        }
    }

    /// The state of base `name`, nil when it is not configured.
    public func baseState(_ name: String) -> BaseState? {
        state.withLock { state in state.baseIndex(name).map { state.bases[$0].info.state } }
    }

    /// Where the resident base `name` came from, nil when it is not resident.
    public func baseOrigin(_ name: String) -> BaseOrigin? {
        state.withLock { state in state.baseIndex(name).flatMap { state.bases[$0].resident?.origin } }
    }

    /// Loads one base: adopts it from the fd store when a stored copy passes the checks,
    /// otherwise opens the model, copies it into a sealed segment, maps and parses it (and
    /// stores it in the fd store).
    func loadBase(name: String, path: String, onSettled: (@Sendable (String, String?) -> Void)?) {
        let fdStore = self.fdStore
        var sources: [SourceFileIdentity]?
        let outcome: Result<ResidentBase, any Error>
        do {
            try DaemonCore.validateName(name, field: "base")
            if let fdStore, let stored = fdStore.take(name), let adopted = Self.adopt(stored, name: name, path: path, fdStore: fdStore) {
                outcome = .success(adopted)
            } else {
                // Recorded before the copy: a file changed during it never matches its record.
                if let fdStore, fdStore.isEnabled { sources = try? SourceFileIdentity.captureModel(path: path) }
                let model = try SafetensorsModel.open(path: path)
                let segment = try SegmentBuilder.base(from: model, name: name) { done, total in
                    if done == total || done % 64 == 0 { self.setBaseStatus(name, .loading(done: done, total: total)) }
                }
                outcome = .success(try ResidentBase(name: name, segment: segment))
            }
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let base):
            let committed = state.withLock { state -> Bool in
                // A reload may have removed the base, or given it another path, meanwhile.
                guard let index = state.baseIndex(name), state.bases[index].path == path else { return false }
                state.bases[index].status = .ready(base)
                return true
            }
            if committed, let fdStore {
                if base.origin == .fdStore {
                    fdStore.adopted(name, bytes: base.segment.byteSize)
                } else if let sources {
                    fdStore.store(base, path: path, sources: sources)
                }
            }
            onSettled?(name, nil)
        case .failure(let error):
            let message = "\(error)"
            setBaseStatus(name, .failed(message))
            onSettled?(name, message)
        }
    }

    /// The stored base checked and parsed, or nil (logged and removed from the store) when
    /// it does not match base `name` at `path`.
    private static func adopt(_ stored: StoredBase, name: String, path: String, fdStore: BaseFdStore) -> ResidentBase? {
        do {
            let segment = try stored.adopt(name: name, path: path)
            do {
                return try ResidentBase(name: name, segment: segment, origin: .fdStore)
            } catch {
                throw FdStoreRejection("the stored segment is not a valid safetensors file: \(error)")
            }
        } catch {
            fdStore.rejected(name, error)
            return nil
        }
    }

    private func setBaseStatus(_ name: String, _ status: BaseSlot.Status) {
        state.withLock { state in
            if let index = state.baseIndex(name) { state.bases[index].status = status }
        }
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
            let adopted = state.bases.filter { $0.resident?.origin == .fdStore }.count
            var parts = ["bases \(ready)/\(state.bases.count) ready" + (adopted > 0 ? " (\(adopted) from the fd store)" : "")]
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
