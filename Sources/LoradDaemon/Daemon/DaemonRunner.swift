import Dispatch
import Glibc
import LoradSystem
import Logging

/// Runs lorad: opens the store, starts loading the bases, serves the socket until
/// SIGTERM or SIGINT, then drains and returns.
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
    ///   bound. Nothing is left listening on failure.
    public static func run(config: DaemonConfig, logger: Logger) throws {
        // Clients that close their end of an export or merge pipe must not kill us.
        signal(SIGPIPE, SIG_IGN)
        try DurableFile.makeDirectory(config.stateDirectory, permissions: 0o750, createIntermediates: true)
        let core = try DaemonCore(
            storeRoot: config.stateDirectory,
            options: CoreOptions(
                memoryBudget: config.memoryBudget, threads: config.threads,
                sessionsPerUID: config.limits.sessionsPerUID))
        let server = try Server(
            settings: ServerSettings(config: config, serverName: serverName), handler: core, logger: logger)

        let signals = DispatchQueue(label: "lorad.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: signals)
            let name = number == SIGTERM ? "SIGTERM" : "SIGINT"
            source.setEventHandler {
                logger.notice("stopping on \(name): draining connections")
                server.stop(grace: stopGrace, reason: "lorad is stopping (\(name))")
            }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }

        logger.notice("listening on \(config.socketPath) (state \(config.stateDirectory), \(config.bases.count) base(s), budget \(ByteSize.format(config.memoryBudget)), \(config.threads) threads)")
        core.loadBases(config.bases.map { ($0.name, $0.path) }) { name, failure in
            if let failure {
                logger.error("base \(name) failed to load: \(failure)")
            } else {
                logger.notice("base \(name) is ready")
            }
        }
        try server.run()
        logger.notice("lorad exits")
    }
}
