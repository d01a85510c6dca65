import LoradDaemon
import LoradConfig

/// What a configuration reload changes, worked out from the running and the new config
/// (pure; ``ConfigReloader`` applies it).
public struct ReloadPlan: Sendable, Equatable {
    /// Bases to load: new names, and known names whose path changed.
    public var basesToLoad: [ConfiguredBase]
    /// Names no longer configured: they leave the base list and the fd store, new sessions on
    /// them get `not_found`; open sessions keep their base until they close.
    public var basesRemoved: [String]
    /// Whether a setting declared ``SettingReload/live`` changed (the `[access]` rules and
    /// the per-connection `[limits]`, applied to new connections).
    public var accessOrLimitsChanged: Bool
    /// Settings declared ``SettingReload/restart`` that changed, in ``Setting/all`` order
    /// (`state_dir`, `socket`, ...).
    public var needRestart: [String]

    /// The plan for going from `running` to `next`.
    public init(running: DaemonConfig, next: DaemonConfig) {
        basesToLoad = next.bases.filter { base in
            !running.bases.contains { $0.name == base.name && $0.path == base.path }
        }
        basesRemoved = running.bases.map(\.name).filter { name in !next.bases.contains { $0.name == name } }
        accessOrLimitsChanged = Setting.all.contains { $0.reload == .live && $0.differs(running, next) }
        needRestart = Setting.all.filter { $0.reload == .restart && $0.differs(running, next) }.map(\.key)
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
