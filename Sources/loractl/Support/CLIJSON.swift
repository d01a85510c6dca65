import LoradAdapters
import LoradClient
import LoradWire

/// The JSON objects the online commands print with `--json`, one per command, built
/// deterministically (keys in the order docs/CLI_JSON.md lists them). Byte counts and ids
/// are integers; weights, alphas and scales are numbers; absent optionals are `null`.
enum CLIJSON {
    /// `status`: the connection (socket, server, protocol, limits) and STATS.
    static func status(
        socket: String, server: String, version: ProtocolVersion, limits: FrameLimits, maxRequestsInFlight: Int,
        stats: StatsReply
    ) -> String {
        JSONText.object([
            ("socket", JSONText.string(socket)),
            ("server", JSONText.string(server)),
            ("protocol", JSONText.string(version.description)),
            ("limits", JSONText.object([
                ("max_frame_bytes", String(limits.maxFrameBytes)),
                ("max_fds_per_frame", String(limits.maxFDsPerFrame)),
                ("max_requests_in_flight", String(maxRequestsInFlight)),
            ])),
            ("uptime_ms", String(stats.uptimeMilliseconds)),
            ("connections", String(stats.connections)),
            ("sessions", String(stats.sessions)),
            ("bases_resident", String(stats.basesResident)),
            ("segments", String(stats.segments)),
            ("segment_bytes", String(stats.segmentBytes)),
            ("budget_bytes", String(stats.budgetBytes)),
            ("cache_hits", String(stats.cacheHits)),
            ("cache_misses", String(stats.cacheMisses)),
            ("adapters", String(stats.adapters)),
            ("store_bytes", String(stats.storeBytes)),
        ])
    }

    /// `bases`: `{"bases": [...]}` in configuration order.
    static func bases(_ bases: [BaseInfo]) -> String {
        JSONText.object([
            ("bases", JSONText.array(bases.map { base in
                JSONText.object(
                    [
                        ("name", JSONText.string(base.name)),
                        ("state", JSONText.string(String(describing: base.state))),
                        ("byte_size", String(base.byteSize)),
                        ("tensor_count", String(base.tensorCount)),
                    ] + (base.origin.map { [("origin", JSONText.string($0.name))] } ?? []))
            })),
        ])
    }

    /// `list`: `{"adapters": [...]}` in name order.
    static func adapters(_ adapters: [LoradWire.AdapterSummary]) -> String {
        JSONText.object([
            ("adapters", JSONText.array(adapters.map { adapter in
                JSONText.object([
                    ("name", JSONText.string(adapter.name)),
                    ("latest_version", String(adapter.latestVersion)),
                    ("base", optional(adapter.base)),
                    ("rank", String(adapter.rank)),
                    ("stored_bytes", String(adapter.storedBytes)),
                    ("tags", strings(adapter.tags)),
                ])
            })),
        ])
    }

    /// `show NAME[@N]`: every field of SHOW_ADAPTER_REPLY.
    static func show(_ reply: ShowAdapterReply) -> String {
        JSONText.object([
            ("name", JSONText.string(reply.name)),
            ("version", String(reply.version)),
            ("latest_version", String(reply.latestVersion)),
            ("base", optional(reply.base)),
            ("description", JSONText.string(reply.description)),
            ("tags", strings(reply.tags)),
        ] + facts(
            format: reply.sourceFormat, rank: reply.rank, alpha: reply.alpha, modules: reply.moduleCount,
            raw: reply.rawBytes, stored: reply.storedBytes
        ) + [
            ("imported_at", String(reply.importedAt)),
            ("digest", JSONText.string(reply.digest)),
        ])
    }

    /// `import`: IMPORT_REPLY plus the file names sent.
    static func imported(_ reply: ImportReply, files: [String]) -> String {
        JSONText.object([
            ("name", JSONText.string(reply.name)),
            ("version", String(reply.version)),
        ] + facts(
            format: reply.sourceFormat, rank: reply.rank, alpha: reply.alpha, modules: reply.moduleCount,
            raw: reply.rawBytes, stored: reply.storedBytes
        ) + [
            ("files", strings(files)),
        ])
    }

    /// `export`: what was written where.
    static func exported(_ adapter: AdapterRef, output: String, bytesWritten: UInt64) -> String {
        JSONText.object([
            ("adapter", JSONText.string(adapter.text)),
            ("output", JSONText.string(output)),
            ("bytes_written", String(bytesWritten)),
        ])
    }

    /// `remove`: how many versions went.
    static func removed(_ adapter: AdapterRef, versions: UInt32) -> String {
        JSONText.object([
            ("adapter", JSONText.string(adapter.text)),
            ("removed_versions", String(versions)),
        ])
    }

    /// `verify`: VERIFY_REPLY.
    static func verify(_ reply: VerifyReply) -> String {
        JSONText.object([
            ("checked", String(reply.checked)),
            ("problem_count", String(reply.problemCount)),
            ("problems", JSONText.array(reply.problems.map { problem in
                JSONText.object([("subject", JSONText.string(problem.subject)), ("message", JSONText.string(problem.message))])
            })),
        ])
    }

    /// `gc`: GC_REPLY and whether it was a dry run.
    static func gc(_ reply: GCReply, dryRun: Bool) -> String {
        JSONText.object([
            ("dry_run", dryRun ? "true" : "false"),
            ("blobs_removed", String(reply.blobsRemoved)),
            ("bytes_freed", String(reply.bytesFreed)),
        ])
    }

    /// `evict`: EVICT_REPLY and the base asked for, if any.
    static func evict(_ reply: EvictReply, base: String?) -> String {
        JSONText.object([
            ("base", optional(base)),
            ("segments_evicted", String(reply.segmentsEvicted)),
            ("bytes_freed", String(reply.bytesFreed)),
        ])
    }

    /// `merge` against the daemon: the request and MERGE_REPLY.
    static func merged(base: String, adapters: [LoradWire.WeightedAdapter], output: String, reply: MergeReply) -> String {
        JSONText.object([
            ("mode", JSONText.string("online")),
            ("base", JSONText.string(base)),
            ("adapters", JSONText.array(adapters.map(weighted))),
            ("output", JSONText.string(output)),
            ("bytes_written", String(reply.bytesWritten)),
            ("tensors_merged", String(reply.tensorsMerged)),
        ])
    }

    /// One requested adapter: name, version (null for the latest) and weight.
    static func weighted(_ adapter: LoradWire.WeightedAdapter) -> String {
        JSONText.object([
            ("name", JSONText.string(adapter.adapter.name)),
            ("version", adapter.adapter.version.map { String($0) } ?? "null"),
            ("weight", JSONText.number(adapter.weight)),
        ])
    }

    /// The facts SHOW_ADAPTER and IMPORT replies share, in that order.
    static func facts(format: String, rank: UInt32, alpha: Double, modules: UInt32, raw: UInt64, stored: UInt64) -> [(String, String)] {
        [
            ("source_format", JSONText.string(format)),
            ("rank", String(rank)),
            ("alpha", JSONText.number(alpha)),
            ("module_count", String(modules)),
            ("raw_bytes", String(raw)),
            ("stored_bytes", String(stored)),
        ]
    }

    /// A JSON array of strings.
    static func strings(_ values: [String]) -> String {
        JSONText.array(values.map(JSONText.string))
    }

    /// A JSON string, or `null`.
    static func optional(_ value: String?) -> String {
        value.map(JSONText.string) ?? "null"
    }
}
