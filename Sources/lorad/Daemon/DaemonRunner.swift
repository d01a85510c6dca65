import LoradDaemon
import Dispatch
import Glibc
import Logging
import LoradConfig
import LoradNotation
import LoradServer
import LoradSystem
import LoradSystemd

/// Runs lorad: opens the store, starts loading the bases, serves the socket (bound, or
/// adopted from systemd's socket activation) until SIGTERM or SIGINT, then drains and
/// returns. Under systemd it reports READY/STATUS/STOPPING and pings the watchdog.
public enum DaemonRunner {
    /// The name the server announces in HELLO.
    public static let serverName = "lorad/0.1.0"
    /// How long a stop waits for in-flight requests before answering them `shutting_down`.
    public static let stopGrace: Duration = .seconds(10)

    /// Serves `config` on the calling thread until a stop signal; returns after a
    /// graceful drain.
    ///
    /// - Throws: ``SystemError`` when the state folder cannot be made, the store's
    ///   errors when it cannot be opened, ``ServerError`` when the socket cannot be
    ///   bound, ``SocketActivationError`` when systemd passed sockets lorad cannot use.
    ///   Nothing is left listening on failure.
    /// - Parameter reload: reads the configuration again on SIGHUP (see ``ConfigReloader``);
    ///   `nil` ignores SIGHUP with a log line.
    public static func run(
        config: DaemonConfig, logger: Logger, reload: (@Sendable () throws -> DaemonConfig)? = nil
    ) throws {
        // Clients that close their end of an export or merge pipe must not kill us.
        signal(SIGPIPE, SIG_IGN)
        try DurableFile.makeDirectory(config.stateDirectory, permissions: 0o750, createIntermediates: true)
        var options = CoreOptions(memoryBudget: config.memoryBudget, threads: config.threads, sessionsPerUID: config.limits.sessionsPerUID)
        options.outputStallTimeout = config.limits.outputStallTimeout
        options.workersPerUID = config.limits.workersPerUID
        let core = try DaemonCore(storeRoot: config.stateDirectory, options: options)
        var settings = ServerSettings(config: config, serverName: serverName)
        settings.admission.raiseDescriptorLimit(logger: logger)
        let passed = try SocketActivation.passedDescriptors()
        let activated = passed.listener
        if let activated { settings.listener = .adopted(activated) }
        let notifier = SystemdNotifier()
        let fdStore = BaseFdStore(notifier: notifier, logger: logger, passed: passed.others)
        let pending = fdStore.pendingNames
        if !pending.isEmpty {
            logger.notice("fd store: systemd passed \(pending.count) stored base(s): \(pending.joined(separator: ", "))")
        }
        fdStore.discard(unconfigured: Set(config.bases.map(\.name)))
        core.useFdStore(fdStore)
        let server = try Server(settings: settings, handler: core, logger: logger)
        // STATUS= shows the core's figures, then the server's (open clients, requests, refusals).
        let supervisor = SystemdSupervisor(notifier: notifier) { "\(core.statusLine()); \(server.statistics.snapshot())" }
        let watchdog = SystemdWatchdog.configuredInterval().map { interval in
            logger.notice("watchdog: pinging every \(interval / 2) while the event loop answers")
            return SystemdWatchdog(interval: interval, notifier: supervisor.notifier) { server.probe(timeout: $0) }
        }
        defer {
            watchdog?.cancel()
        }

        let signals = DispatchQueue(label: "lorad.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: signals)
            let name = number == SIGTERM ? "SIGTERM" : "SIGINT"
            source.setEventHandler {
                logger.notice("stopping on \(name): draining connections")
                supervisor.stopping()
                server.stop(grace: stopGrace, reason: "lorad is stopping (\(name))")
            }
            source.resume()
            sources.append(source)
        }
        signal(SIGHUP, SIG_IGN)
        let reloader = reload.map {
            ConfigReloader(config: config, load: $0, server: server, core: core, supervisor: supervisor, logger: logger)
        }
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: signals)
        hangup.setEventHandler {
            guard let reloader else {
                logger.notice("SIGHUP ignored: this lorad was started without a way to reload its config")
                return
            }
            logger.notice("reloading the configuration on SIGHUP")
            reloader.reload()
        }
        hangup.resume()
        sources.append(hangup)
        defer { sources.forEach { $0.cancel() } }

        if activated != nil, let group = config.socketGroup {
            logger.notice("socket_group (gid \(group)) is ignored: the socket came from systemd, whose socket unit decides its group (SocketGroup= in lorad.socket)")
        } else if activated == nil, let socket = try? FileStatus(path: config.socketPath, followSymlinks: false) {
            let reach = SocketReach(owner: socket.owner, group: socket.group, mode: socket.mode)
            for warning in DaemonConfig.socketWarnings(reach, access: config.access) { logger.warning("socket: \(warning)") }
        }
        let place = activated.map { "the socket systemd passed (\($0))" } ?? config.socketPath
        logger.notice("listening on \(place) (state \(config.stateDirectory), \(config.bases.count) base(s), budget \(ByteSize.format(config.memoryBudget)), \(config.threads) threads)")
        // One start-up job per base: READY=1 once each is ready or failed.
        supervisor.expectJobs(config.bases.count)
        let logSettlement = ConfigReloader.logSettlement(logger)
        core.loadBases(config.bases.map { ($0.name, $0.path) }) { name, failure in
            logSettlement(name, failure)
            supervisor.jobSettled()
        }
        try server.run()
        logger.notice("served \(server.statistics.snapshot())")
        supervisor.stopping()
        logger.notice("lorad exits")
    }
}
