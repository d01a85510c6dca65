import LoradStore
import LoradWire

extension DaemonCore {
    /// LIST_ADAPTERS: a page of the latest version of each name, in byte order of names,
    /// shortened to fit the reply frame.
    func listAdapters(_ request: ListAdaptersRequest) throws -> ListAdaptersReply {
        for (field, value) in [("base", request.base), ("tag", request.tag), ("after", request.after)] {
            if let value { try DaemonCore.validateName(value, field: field) }
        }
        var records: [AdapterRecord]
        if let base = request.base {
            let resident = try state.withLock { state throws in try state.slot(base).resident }
            if let resident {
                records = try store.list(tag: request.tag, baseFingerprint: resident.fingerprint)
            } else {
                records = try store.list(tag: request.tag).filter { $0.bases.contains { $0.name == base } }
            }
        } else {
            records = try store.list(tag: request.tag)
        }
        records.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        if let after = request.after {
            records = records.filter { after.utf8.lexicographicallyPrecedes($0.name.utf8) }
        }
        let wanted = min(WireLimits.maxListEntries, request.limit == 0 ? options.defaultListLimit : Int(request.limit))
        let baseNames = residentBaseNames()
        // count (2) + next_after (1 + 2 + 128 bytes at most).
        var room = options.maxReplyPayloadBytes - 2 - 3 - WireLimits.maxNameBytes
        var page: [AdapterSummary] = []
        for record in records.prefix(wanted) {
            let summary = AdapterSummary(
                name: record.name, latestVersion: UInt32(clamping: record.version),
                base: DaemonCore.baseName(of: record, resident: baseNames), rank: UInt32(clamping: record.rank),
                storedBytes: UInt64(record.packedBytes), tags: Array(record.tags.prefix(WireLimits.maxTags)))
            let size = DaemonCore.encodedSize(summary) + 2
            guard size <= room else { break }
            room -= size
            page.append(summary)
        }
        let more = page.count < records.count
        return ListAdaptersReply(adapters: page, nextAfter: more ? page.last?.name : nil)
    }
}
