import LoradServer
import LoradWire

extension DaemonCore {
    /// Computes a session's new set with `newSet` (off the lock: it may read the store),
    /// acquires or builds its segments, then commits it under the lock: the new references are
    /// taken before the old ones are released, and nothing changes when anything fails or the
    /// request is cancelled.
    func changeSession(
        _ sessionID: UInt64, _ context: RequestContext, wrap: (SessionReply) -> ServerMessage,
        newSet: (Session, ResidentBase) throws -> [SessionAdapter]
    ) throws -> HandlerReply {
        let connection = context.peer.connectionID
        let (session, base) = try state.withLock { state throws -> (Session, ResidentBase) in
            let session = try state.sessions.session(sessionID, connectionID: connection)
            return (session, try state.sessionBase(session.base))
        }
        let set = try newSet(session, base)
        try context.token.check()
        let keys = Session.segmentKeys(base: base.identity, mode: session.mode, set: set)
        let segments = try acquireSegments(keys, set: set, base: base, token: context.token)
        do {
            let committed = try state.withLock { state throws -> Session in
                var current = try state.sessions.session(sessionID, connectionID: connection)
                guard context.token.claim() else { throw WireError.cancelled }
                state.release(current.commit(active: set, held: keys))
                state.sessions.update(current)
                return current
            }
            return sessionReply(committed, base: base, segments: segments, wrap: wrap)
        } catch {
            state.withLock { $0.release(keys) }
            throw error
        }
    }

    /// The reply describing `session`: the base segment first, then `segments` (one factors
    /// segment per active adapter, or one overlay), each with its descriptor. The reply holds
    /// the segments themselves, which keep their descriptors open until it is sent.
    func sessionReply(
        _ session: Session, base: ResidentBase, segments: [Segment], wrap: (SessionReply) -> ServerMessage
    ) -> HandlerReply {
        var descriptors = [base.segment.descriptor()]
        for (index, segment) in segments.enumerated() {
            descriptors.append(segment.descriptor(adapterIndex: segment.kind == .factors ? index : nil))
        }
        let reply = SessionReply(
            sessionID: session.id, base: session.base, mode: session.mode, generation: session.generation,
            active: session.active.map(\.wire), segments: descriptors)
        return HandlerReply(wrap(reply), passing: [base.segment] + segments)
    }

    /// Resolves `reference` in the store to a set entry with `weight` for a session on `base`.
    /// When the adapter was not checked against `base` at import, it is checked now
    /// (decompressing it), so that a cached factors segment is never handed to a session on a
    /// base it does not fit.
    /// - Throws: `invalid_argument` for a bad name or version, `not_found`, `incompatible`.
    func sessionAdapter(_ reference: AdapterRef, weight: Double, base: ResidentBase) throws -> SessionAdapter {
        let record = try store.resolve(try DaemonCore.storeReference(reference))
        let entry = SessionAdapter(name: record.name, version: record.version, digest: record.blob.hex, weight: weight)
        if !record.bases.contains(where: { $0.fingerprint == base.fingerprint }) {
            _ = try resolvedAdapter(entry, base: base)
        }
        return entry
    }

    /// Starts loading an evicted base again.
    func reloadIfEvicted(_ name: String, state: inout CoreState) {
        guard let index = state.baseIndex(name), case .configured = state.bases[index].status else { return }
        state.bases[index].status = .loading(done: 0, total: 0)
        let path = state.bases[index].path
        baseLoader.async { [self] in loadBase(name: name, path: path, onSettled: nil) }
    }
}
