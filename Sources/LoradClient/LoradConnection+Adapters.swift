import LoradSystem
import LoradWire

extension LoradConnection {
    /// LIST_ADAPTERS: one page of adapters in name order, optionally only those checked
    /// against `base` or carrying `tag`, after the cursor `after`. `limit` 0 lets the
    /// server choose the page size. Pass the reply's `nextAfter` to get the next page.
    public func listAdapters(
        base: String? = nil, tag: String? = nil, after: String? = nil, limit: UInt16 = 0
    ) throws(LoradClientError) -> ListAdaptersReply {
        if let base { try RequestValidation.name(base, "base") }
        if let tag { try RequestValidation.name(tag, "tag") }
        let request = ListAdaptersRequest(base: base, tag: tag, after: after, limit: limit)
        return try call(.listAdapters(request)) { if case .listAdapters(let r) = $0 { r } else { nil } }.0
    }

    /// Every adapter (matching the filters), reading page after page. Stops with
    /// `protocolViolation` if the server's cursor does not advance.
    public func listAllAdapters(base: String? = nil, tag: String? = nil) throws(LoradClientError) -> [AdapterSummary] {
        var all: [AdapterSummary] = []
        var cursor: String?
        repeat {
            let page = try listAdapters(base: base, tag: tag, after: cursor)
            all.append(contentsOf: page.adapters)
            if let next = page.nextAfter, let previous = cursor, next <= previous {
                throw LoradClientError.protocolViolation(WireError(
                    .protocolViolation, "LIST_ADAPTERS cursor went from \(previous) back to \(next)"))
            }
            cursor = page.nextAfter
        } while cursor != nil
        return all
    }

    /// SHOW_ADAPTER: everything the catalog knows about one version of an adapter (the
    /// latest when `adapter.version` is nil).
    public func showAdapter(_ adapter: AdapterRef) throws(LoradClientError) -> ShowAdapterReply {
        try RequestValidation.name(adapter.name, "adapter")
        return try call(.showAdapter(ShowAdapterRequest(adapter: adapter))) {
            if case .showAdapter(let r) = $0 { r } else { nil }
        }.0
    }

    /// IMPORT: stores an adapter from `files` (each a base file name such as
    /// `adapter_config.json` and a readable descriptor, which stays the caller's; the
    /// server reads it with pread). `alpha` applies only when the files store none;
    /// `base` checks the adapter against that configured base; `newVersion` adds a
    /// version when `name` exists instead of failing with `already_exists`.
    public func importAdapter(
        name: String, files: [(name: String, descriptor: FileDescriptor)], alpha: Double? = nil,
        base: String? = nil, description: String = "", tags: [String] = [], newVersion: Bool = false
    ) throws(LoradClientError) -> ImportReply {
        try RequestValidation.name(name, "adapter name")
        if let base { try RequestValidation.name(base, "base") }
        for tag in tags { try RequestValidation.name(tag, "tag") }
        guard (1...WireLimits.maxImportFiles).contains(files.count) else {
            throw LoradClientError.invalidRequest(
                "IMPORT takes 1 to \(WireLimits.maxImportFiles) files, not \(files.count)")
        }
        if let alpha, !(alpha.isFinite && alpha > 0) {
            throw LoradClientError.invalidRequest("alpha \(alpha) must be a positive finite number")
        }
        let request = ImportRequest(
            name: name, files: files.map { ImportFile(fileName: $0.name, fd: $0.descriptor.rawValue) },
            alpha: alpha, base: base, description: description, tags: tags, newVersion: newVersion)
        return try call(.importAdapter(request)) { if case .importAdapter(let r) = $0 { r } else { nil } }.0
    }

    /// EXPORT: writes the adapter (the latest version when `adapter.version` is nil) as a
    /// diffusers-layout safetensors file to `output`, from its current position. `output`
    /// stays the caller's. Returns the bytes written.
    public func exportAdapter(_ adapter: AdapterRef, into output: FileDescriptor) throws(LoradClientError) -> UInt64 {
        try RequestValidation.name(adapter.name, "adapter")
        let request = ExportRequest(adapter: adapter, output: output.rawValue)
        return try call(.exportAdapter(request)) { if case .exportAdapter(let r) = $0 { r } else { nil } }.0
            .bytesWritten
    }

    /// REMOVE: deletes one version (or, without a version, every version) of an adapter.
    /// Without `force`, an adapter a session uses fails with `in_use`. Returns how many
    /// versions were removed.
    public func removeAdapter(_ adapter: AdapterRef, force: Bool = false) throws(LoradClientError) -> UInt32 {
        try RequestValidation.name(adapter.name, "adapter")
        let request = RemoveRequest(adapter: adapter, force: force)
        return try call(.removeAdapter(request)) { if case .removeAdapter(let r) = $0 { r } else { nil } }.0
            .removedVersions
    }
}
