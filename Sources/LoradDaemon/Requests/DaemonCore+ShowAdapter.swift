import LoradStore
import LoradWire

extension DaemonCore {
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
}
