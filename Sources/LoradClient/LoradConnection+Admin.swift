import LoradSystem
import LoradWire

extension LoradConnection {
    /// MERGE: writes `base` with `adapters` fused in, as one safetensors file, to `output`
    /// (a writable file or pipe that stays the caller's). May take a while.
    public func merge(base: String, adapters: [WeightedAdapter], into output: FileDescriptor) throws(LoradClientError) -> MergeReply {
        try RequestValidation.name(base, "base")
        try RequestValidation.set(adapters)
        let request = MergeRequest(base: base, adapters: adapters, output: output.rawValue)
        return try call(.merge(request)) { if case .merge(let r) = $0 { r } else { nil } }.0
    }

    /// EVICT (admin): drops unreferenced cached segments, and `base`'s resident segment
    /// when given and no session uses it. Fails with `permission_denied` for non-admins.
    public func evict(base: String? = nil) throws(LoradClientError) -> EvictReply {
        if let base { try RequestValidation.name(base, "base") }
        return try call(.evict(EvictRequest(base: base))) { if case .evict(let r) = $0 { r } else { nil } }.0
    }

    /// VERIFY (admin): checks the store's packs and blobs (only `adapter`'s versions when
    /// given) and lists the first problems found.
    public func verify(adapter: String? = nil) throws(LoradClientError) -> VerifyReply {
        if let adapter { try RequestValidation.name(adapter, "adapter") }
        return try call(.verify(VerifyRequest(adapter: adapter))) { if case .verify(let r) = $0 { r } else { nil } }.0
    }

    /// GC (admin): deletes blobs no adapter references (only counts them with `dryRun`).
    public func gc(dryRun: Bool = false) throws(LoradClientError) -> GCReply {
        try call(.gc(GCRequest(dryRun: dryRun))) { if case .gc(let r) = $0 { r } else { nil } }.0
    }
}
