import LoradStore
import LoradWire

extension DaemonCore {
    /// REMOVE (admin): removes one version, or every version of a name.
    /// - Throws: `not_found`, `in_use` (a session has it in its set, unless `force`).
    func removeAdapter(_ request: RemoveRequest) throws -> RemoveReply {
        let reference = try DaemonCore.storeReference(request.adapter)
        _ = try store.resolve(reference)
        let used = state.withLock { $0.sessions.uses(adapter: reference.name, version: reference.version) }
        if used, !request.force {
            throw StoredAdapterError.inSession(reference: "\(reference)")
        }
        let removed = try store.remove(reference)
        for record in removed { memo.forget(digest: record.blob.hex) }
        return RemoveReply(removedVersions: UInt32(clamping: removed.count))
    }
}
