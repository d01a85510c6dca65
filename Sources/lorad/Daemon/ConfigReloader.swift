import LoradDaemon
import Logging
import LoradConfig
import LoradServer
import LoradSystem
import LoradSystemd
import Synchronization

/// Reloads the configuration on SIGHUP: tells systemd `RELOADING=1`, loads the config
/// again, applies what can change live (access rules and connection limits for new
/// connections, added bases or changed base paths), logs the rest, and says `READY=1`.
/// A config that fails to load is logged and the running one kept.
public final class ConfigReloader: Sendable {
    private let running: Mutex<DaemonConfig>
    private let load: @Sendable () throws -> DaemonConfig
    private let server: Server
    private let core: DaemonCore
    private let supervisor: SystemdSupervisor
    private let logger: Logger

    /// A reloader for a daemon running `config`; `load` reads the config again (same
    /// command-line overrides, same environment).
    public init(
        config: DaemonConfig, load: @escaping @Sendable () throws -> DaemonConfig,
        server: Server, core: DaemonCore, supervisor: SystemdSupervisor, logger: Logger
    ) {
        running = Mutex(config)
        self.load = load
        self.server = server
        self.core = core
        self.supervisor = supervisor
        self.logger = logger
    }

    /// The configuration in force.
    public var config: DaemonConfig { running.withLock { $0 } }

    /// Reloads once (call from one thread at a time, e.g. the signal queue). Returns the
    /// plan that was applied, `nil` when the new config was refused.
    @discardableResult
    public func reload() -> ReloadPlan? {
        supervisor.reloading(monotonicMicroseconds: MonotonicClock.microseconds())
        defer { supervisor.reloaded() }
        let next: DaemonConfig
        do {
            next = try load()
        } catch {
            logger.error("reload refused, keeping the running config: \(error)")
            return nil
        }
        let current = config
        let plan = ReloadPlan(running: current, next: next)
        if plan.accessOrLimitsChanged {
            let settings = ServerSettings(config: next, serverName: server.settings.connection.serverName)
            do {
                try server.update(access: next.access, connection: settings.connection, admission: settings.admission)
            } catch {
                logger.error("reload refused, keeping the running config: \(error)")
                return nil
            }
            core.updateLimits(outputStallTimeout: next.limits.outputStallTimeout, workersPerUID: next.limits.workersPerUID)
            if settings.admission != AdmissionLimits(current.limits) { settings.admission.raiseDescriptorLimit(logger: logger) }
        }
        var applied = next
        // What needs a restart keeps its running value, so the next reload reports it again.
        for setting in Setting.all where setting.reload == .restart {
            setting.keep(current, in: &applied)
        }
        running.withLock { $0 = applied }
        logger.notice("reloaded \(next.configFile ?? "the configuration"): \(plan.summary)")
        core.removeBases(plan.basesRemoved)
        if !plan.basesToLoad.isEmpty {
            core.loadBases(plan.basesToLoad.map { ($0.name, $0.path) }, onSettled: Self.logSettlement(logger))
        }
        return plan
    }

    /// The `onSettled` callback of `DaemonCore.loadBases` that logs each base's outcome.
    static func logSettlement(_ logger: Logger) -> @Sendable (String, String?) -> Void {
        { name, failure in
            if let failure {
                logger.error("base \(name) failed to load: \(failure)")
            } else {
                logger.notice("base \(name) is ready")
            }
        }
    }
}
