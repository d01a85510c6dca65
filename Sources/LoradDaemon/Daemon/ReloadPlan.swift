import LoradConfig

/// What a configuration reload changes, worked out from the running and the new config
/// (pure; ``ConfigReloader`` applies it).
public struct ReloadPlan: Sendable, Equatable {
    /// Bases to load: new names, and known names whose path changed.
    public var basesToLoad: [ConfiguredBase]
    /// Names no longer configured: they leave the base list and the fd store, new sessions on
    /// them get `not_found`; open sessions keep their base until they close.
    public var basesRemoved: [String]
    /// Whether the `[access]` rules or the per-connection `[limits]` changed (applied to
    /// new connections).
    public var accessOrLimitsChanged: Bool
    /// Settings that changed but only take effect at restart (`socket`, `state_dir`, ...).
    public var needRestart: [String]

    /// The plan for going from `running` to `next`.
    public init(running: DaemonConfig, next: DaemonConfig) {
        basesToLoad = next.bases.filter { base in
            !running.bases.contains { $0.name == base.name && $0.path == base.path }
        }
        basesRemoved = running.bases.map(\.name).filter { name in !next.bases.contains { $0.name == name } }
        accessOrLimitsChanged = running.access != next.access
            || running.limits.requestsInFlightPerConnection != next.limits.requestsInFlightPerConnection
            || running.limits.handshakeTimeout != next.limits.handshakeTimeout
            || running.limits.partialFrameTimeout != next.limits.partialFrameTimeout
        var restart: [String] = []
        if running.socketPath != next.socketPath { restart.append("socket") }
        if running.socketMode != next.socketMode { restart.append("socket_mode") }
        if running.stateDirectory != next.stateDirectory { restart.append("state_dir") }
        if running.memoryBudget != next.memoryBudget { restart.append("memory_budget") }
        if running.threads != next.threads { restart.append("threads") }
        if running.limits.sessionsPerUID != next.limits.sessionsPerUID { restart.append("limits.sessions_per_uid") }
        needRestart = restart
    }

    /// One line for the log: `reload: 1 base to load (b), access/limits updated`.
    public var summary: String {
        var parts: [String] = []
        if !basesToLoad.isEmpty {
            parts.append("\(basesToLoad.count) base\(basesToLoad.count == 1 ? "" : "s") to load (\(basesToLoad.map(\.name).joined(separator: ", ")))")
        }
        if accessOrLimitsChanged { parts.append("access rules and limits updated for new connections") }
        if !basesRemoved.isEmpty {
            parts.append("removed (open sessions keep them until they close): \(basesRemoved.joined(separator: ", "))")
        }
        if !needRestart.isEmpty {
            parts.append("changed but needs a restart: \(needRestart.joined(separator: ", "))")
        }
        return parts.isEmpty ? "nothing changed" : parts.joined(separator: "; ")
    }
}
