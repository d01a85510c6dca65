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

    /// SHOW_ADAPTER: one version's catalog record.
    func showAdapter(_ request: ShowAdapterRequest) throws -> ShowAdapterReply {
        let record = try store.resolve(try DaemonCore.storeReference(request.adapter))
        let latest = request.adapter.version == nil ? record : try store.resolve(AdapterReference(name: record.name))
        return ShowAdapterReply(
            name: record.name, version: UInt32(clamping: record.version), latestVersion: UInt32(clamping: latest.version),
            base: DaemonCore.baseName(of: record, resident: residentBaseNames()),
            description: WireError.fitting(record.description, bytes: WireLimits.maxDescriptionBytes),
            tags: Array(record.tags.prefix(WireLimits.maxTags)),
            sourceFormat: WireError.fitting(record.layout, bytes: WireLimits.maxLabelBytes),
            rank: UInt32(clamping: record.rank), alpha: record.alpha ?? Double(record.rank),
            moduleCount: UInt32(clamping: record.targets.count), rawBytes: UInt64(record.originalBytes),
            storedBytes: UInt64(record.packedBytes), importedAt: UInt64(max(0, record.created)), digest: record.blob.hex)
    }

    /// REMOVE (admin): removes one version, or every version of a name.
    /// - Throws: `not_found`, `in_use` (a session has it in its set, unless `force`).
    func removeAdapter(_ request: RemoveRequest) throws -> RemoveReply {
        let reference = try DaemonCore.storeReference(request.adapter)
        _ = try store.resolve(reference)
        let used = state.withLock { $0.sessions.uses(adapter: reference.name, version: reference.version) }
        if used, !request.force {
            throw WireError(.inUse, "\(reference) is in the active set of an open session; detach it first, or remove with force (sessions keep their mapped segments)")
        }
        let removed = try store.remove(reference)
        for record in removed { memo.forget(digest: record.blob.hex) }
        return RemoveReply(removedVersions: UInt32(clamping: removed.count))
    }

    /// VERIFY (admin): checks the store (catalog, blob hashes, every pack's checksums, and
    /// that each pack decodes to a usable adapter: metadata, shapes, finite factors).
    func verify(_ request: VerifyRequest) throws -> VerifyReply {
        var records = try store.list(allVersions: true)
        if let name = request.adapter {
            try DaemonCore.validateName(name, field: "adapter")
            _ = try store.resolve(AdapterReference(name: name))
            records = records.filter { $0.name == name }
        }
        var problems = try store.verify(packVerifier: { bytes in try AdapterPack.verify(bytes, origin: "stored pack") })
        if let name = request.adapter {
            problems = problems.filter { DaemonCore.reference(of: $0)?.name == name }
        }
        let listed = problems.prefix(WireLimits.maxVerifyProblems).map { problem in
            VerifyProblem(
                subject: WireError.fitting(DaemonCore.subject(of: problem), bytes: WireLimits.maxShortTextBytes),
                message: WireError.fitting(problem.description, bytes: WireLimits.maxMessageBytes))
        }
        return VerifyReply(
            checked: UInt32(clamping: Set(records.map(\.blob)).count), problemCount: UInt32(clamping: problems.count),
            problems: Array(listed))
    }

    /// GC (admin): removes blobs no version references (or counts them in a dry run).
    func collectGarbage(_ request: GCRequest) throws -> GCReply {
        if request.dryRun {
            let referenced = Set(try store.list(allVersions: true).map(\.blob))
            let unreferenced = try store.blobs.list().filter { !referenced.contains($0) }
            let bytes = unreferenced.reduce(0) { $0 + ((try? store.blobs.size(of: $1)) ?? 0) }
            return GCReply(blobsRemoved: UInt32(clamping: unreferenced.count), bytesFreed: UInt64(bytes))
        }
        let result = try store.gc()
        return GCReply(blobsRemoved: UInt32(clamping: result.removedBlobs.count), bytesFreed: UInt64(result.freedBytes))
    }

    /// STATS: the daemon's figures.
    func stats() throws -> StatsReply {
        let all = try store.list(allVersions: true)
        let names = Set(all.map(\.name)).count
        var blobBytes: [BlobDigest: Int] = [:]
        for record in all { blobBytes[record.blob] = record.packedBytes }
        return state.withLock { state in
            let cache = state.cache.stats
            let resident = state.residentBases
            let baseBytes = resident.reduce(0) { $0 + $1.segment.byteSize }
            return StatsReply(
                uptimeMilliseconds: uptimeMilliseconds, connections: UInt32(clamping: state.connections.count),
                sessions: UInt32(clamping: state.sessions.count), basesResident: UInt32(clamping: resident.count),
                segments: UInt32(clamping: cache.entries + resident.count),
                segmentBytes: UInt64(cache.referencedBytes + cache.cachedBytes + baseBytes),
                budgetBytes: UInt64(cache.budget), cacheHits: UInt64(cache.hits), cacheMisses: UInt64(cache.misses),
                adapters: UInt32(clamping: names), storeBytes: UInt64(blobBytes.values.reduce(0, +)))
        }
    }

    /// The cache figures (for tests and logs).
    public var segmentStats: SegmentCacheStats { state.withLock { $0.cache.stats } }

    // MARK: Helpers

    /// Fingerprint -> configured name of the resident bases.
    private func residentBaseNames() -> [String: String] {
        state.withLock { state in
            Dictionary(state.residentBases.map { ($0.fingerprint, $0.name) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The base to show for a record: a resident base it was checked against, else the first
    /// recorded name that is a valid wire name.
    private static func baseName(of record: AdapterRecord, resident: [String: String]) -> String? {
        for base in record.bases { if let name = resident[base.fingerprint] { return name } }
        return record.bases.first { WireName.isValid($0.name) }?.name
    }

    /// The bytes `summary` takes in a payload (without its record length).
    private static func encodedSize(_ summary: AdapterSummary) -> Int {
        var writer = PayloadWriter(context: "LIST_ADAPTERS reply")
        do {
            try summary.encode(to: &writer)
        } catch {
            return Int.max / 2
        }
        return writer.bytes.count
    }

    /// The adapter version a verify problem is about, if any.
    private static func reference(of problem: AdapterStoreProblem) -> AdapterReference? {
        switch problem {
        case .missingBlob(let reference, _), .unreadableBlob(let reference, _, _), .sizeMismatch(let reference, _, _, _),
            .damagedBlob(let reference, _, _), .invalidPack(let reference, _, _):
            reference
        case .catalog, .unreferencedBlob, .leftoverTemporary, .strayFile:
            nil
        }
    }

    /// What a verify problem is about: `name@N`, a blob digest, a path or `catalog`.
    private static func subject(of problem: AdapterStoreProblem) -> String {
        if let reference = reference(of: problem) { return reference.description }
        switch problem {
        case .unreferencedBlob(let digest, _): return digest.description
        case .leftoverTemporary(let path), .strayFile(let path): return path
        default: return "catalog"
        }
    }
}
