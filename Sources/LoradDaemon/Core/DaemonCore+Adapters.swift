import LoradAdapters
import LoradStore
import LoradSystem
import LoradWire

extension DaemonCore {
    /// A wire adapter reference as a store reference.
    /// - Throws: `invalid_argument` for a bad name or version 0.
    static func storeReference(_ reference: AdapterRef) throws -> AdapterReference {
        try validateName(reference.name, field: "adapter")
        return try AdapterReference(name: reference.name, version: reference.version.map(Int.init))
    }

    /// Checks the protocol's name grammar.
    /// - Throws: `invalid_argument` naming `field`.
    static func validateName(_ name: String, field: String) throws(WireError) {
        try WireName.validate(name, field: field)
    }

    /// The decompressed adapter of `record` (from the memo, or decoded from its pack).
    /// - Throws: `corrupt` for a damaged pack or blob, and for a pack that does not decode
    ///   to a usable adapter (bad metadata, non-finite factors stored before lorad refused
    ///   them): stored data, not the request, is at fault.
    func decodedAdapter(_ record: AdapterRecord) throws -> LoraAdapter {
        let digest = record.blob.hex
        if let adapter = memo.adapter(digest: digest) { return adapter }
        let region = try store.packBytes(for: record)
        let adapter = try withExtendedLifetime(region) {
            do {
                return try AdapterPack.decode(region.bytes, origin: record.reference.description)
            } catch let error as AdapterError {
                throw StoredAdapterError.unusable(reference: record.reference.description, problem: "\(error)")
            }
        }
        memo.store(adapter, digest: digest)
        return adapter
    }

    /// The decompressed adapter of a set entry, resolved against `base`.
    /// - Throws: `not_found` when the version was removed meanwhile, `incompatible` when it
    ///   does not fit the base, `corrupt`.
    func resolvedAdapter(_ entry: SessionAdapter, base: ResidentBase) throws -> LoraAdapter {
        let adapter: LoraAdapter
        if let memoised = memo.adapter(digest: entry.digest) {
            adapter = memoised
        } else {
            let record = try store.resolve(AdapterReference(name: entry.name, version: entry.version))
            guard record.blob.hex == entry.digest else {
                throw StoredAdapterError.reimported(reference: "\(entry.reference)")
            }
            adapter = try decodedAdapter(record)
        }
        return try adapter.resolved(against: base.shapes)
    }

    /// The set entries' adapters resolved against `base`, decompressed in parallel.
    func resolvedAdapters(_ set: [SessionAdapter], base: ResidentBase) throws -> [LoradAdapters.WeightedAdapter] {
        try Parallel.map(count: set.count, missing: DaemonBug.jobDidNotRun) { index in
            LoradAdapters.WeightedAdapter(adapter: try self.resolvedAdapter(set[index], base: base), weight: set[index].weight)
        }.map { try $0.get() }
    }
}
