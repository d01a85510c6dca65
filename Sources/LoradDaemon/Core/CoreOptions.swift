import LoradWire

/// The settings the core runs with (the integrator fills them from `DaemonConfig`).
public struct CoreOptions: Sendable, Hashable {
    /// Bytes of derived segments (factor sets, overlays) kept in memory, referenced or cached;
    /// bases do not count (`memory_budget`).
    public var memoryBudget: Int
    /// Heavy jobs (import, decompress, fuse, merge, export) running at once (`threads`).
    public var threads: Int
    /// The most sessions one uid may hold across its connections (`limits.sessions_per_uid`).
    public var sessionsPerUID: Int
    /// How long EXPORT and MERGE wait for the client to take more of its output before they
    /// fail with `output_stalled` (`limits.output_stall_timeout`, 60 s).
    public var outputStallTimeout: Duration = .seconds(60)
    /// The most workers one uid's requests may occupy at once (`limits.workers_per_uid`);
    /// 0 means `threads - 1`, at least 1.
    public var workersPerUID: Int = 0
    /// The largest reply payload the core produces, in bytes: list replies are shortened to
    /// fit. The default fits the protocol's default 64 KiB frame.
    public var maxReplyPayloadBytes: Int = FrameLimits.default.maxPayloadBytes
    /// The largest adapter weights file IMPORT accepts, in bytes (16 GiB).
    public var maxImportFileBytes: Int = 16 << 30
    /// The largest `adapter_config.json` IMPORT accepts, in bytes (1 MiB).
    public var maxConfigFileBytes: Int = 1 << 20
    /// Decompressed adapters kept for reuse (entries).
    public var decodedAdapterEntries: Int = 16
    /// Decompressed adapters kept for reuse (factor bytes, 1 GiB).
    public var decodedAdapterBytes: Int = 1 << 30
    /// LIST_ADAPTERS entries per page when the request leaves it to the server.
    public var defaultListLimit: Int = 256

    /// Options with the three configured figures and defaults for the rest.
    public init(memoryBudget: Int, threads: Int, sessionsPerUID: Int) {
        self.memoryBudget = memoryBudget
        self.threads = threads
        self.sessionsPerUID = sessionsPerUID
    }
}
