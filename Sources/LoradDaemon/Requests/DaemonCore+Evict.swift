import LoradWire

extension DaemonCore {
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
                    throw BaseError.inUse(name: name)
                }
                if let resident = slot.resident, let index = state.baseIndex(name) {
                    state.bases[index].status = .configured
                    baseSegment = [resident.segment]
                }
                if !baseSegment.isEmpty {
                    // The store would keep the memory alive; the base is stored again when it is next loaded.
                    baseLoader.async { [self] in fdStore?.remove(base: name) }
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
}
