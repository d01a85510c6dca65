import ArgumentParser
import Glibc
import LoradConfig
import LoradDaemon
import Logging
import LoradSystem
import LoradSystemd

/// The `lorad` daemon's command line. Parsing flags is all this file does: the
/// flags become ``ConfigOverrides`` and LoradDaemon does the rest.
@main
struct Lorad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lorad",
        abstract: "Serve LoRA adapters for video models from shared memory.",
        discussion: "Flags override the config file; see docs/CONFIG.md. A bad configuration exits with status 78 (EX_CONFIG).")

    /// Parses the command line and runs; refuses to start when the command
    /// line cannot be read at all. (The Swift runtime reads it from
    /// `/proc/self/cmdline`: without /proc, a chroot say, it is empty and every
    /// flag, `--check-config` included, would silently be ignored.)
    static func main() {
        guard !CommandLine.arguments.isEmpty else {
            StandardError.writeLine("lorad: cannot read the command line (/proc/self/cmdline); mount /proc and run again")
            exit(withError: ExitCode(71))  // EX_OSERR
        }
        main(nil)
    }

    @Option(name: .long, help: ArgumentHelp("The TOML config file to read.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: Self.help("--state-dir"))
    var stateDir: String?

    @Option(name: .long, help: Self.help("--socket"))
    var socket: String?

    @Option(name: .customLong("base"), help: Self.help("--base"))
    var bases: [String] = []

    @Option(name: .long, help: Self.help("--memory-budget"))
    var memoryBudget: String?

    @Option(name: .long, help: Self.help("--socket-mode"))
    var socketMode: String?

    @Option(name: .long, help: Self.help("--socket-group"))
    var socketGroup: String?

    @Option(name: .long, help: Self.help("--threads"))
    var threads: String?

    @Flag(name: .long, help: "Check the configuration, print a one-line summary and exit.")
    var checkConfig = false

    /// The flags that override the config file, by the flag ``Setting/all`` declares for
    /// each setting (a test checks every declared flag is here and reaches its setting).
    var overrides: ConfigOverrides {
        let given = [
            "--state-dir": stateDir, "--socket": socket, "--memory-budget": memoryBudget, "--socket-mode": socketMode,
            "--socket-group": socketGroup, "--threads": threads,
        ]
        return ConfigOverrides(configFile: config, bases: bases, values: given.compactMapValues { $0 })
    }

    func run() throws {
        let overrides = self.overrides
        let destination = LoradLogging.bootstrap()
        let daemonConfig: DaemonConfig
        do {
            daemonConfig = try ConfigLoader(environment: .current(reading: ConfigLoader.variableNames)).load(overrides)
        } catch {
            Self.reportFatal("\(error)", to: destination)
            throw ExitCode(ConfigError.exitCode)
        }
        if checkConfig {
            print("lorad: \(daemonConfig.summary)")
            fflush(nil)  // the summary line first, then the warnings, also when both go to one pipe
            for warning in daemonConfig.socketWarnings() { StandardError.writeLine("lorad: warning: \(warning)") }
            return
        }
        var logger = Logger(label: "lorad")
        logger.logLevel = .info
        do {
            try DaemonRunner.run(config: daemonConfig, logger: logger) {
                try ConfigLoader(environment: .current(reading: ConfigLoader.variableNames)).load(overrides)
            }
        } catch {
            Self.reportFatal("\(error)", to: destination)
            throw ExitCode.failure
        }
    }

    /// The help of a setting's flag: its declared doc line and value name.
    private static func help(_ flag: String) -> ArgumentHelp {
        let setting = Setting.flagged(flag)
        return ArgumentHelp(setting?.doc ?? "", valueName: setting?.flagValueName)
    }

    /// Reports why lorad stops: at error priority in the journal (so that
    /// `journalctl -p err -u lorad` shows it), else as one line on stderr.
    private static func reportFatal(_ message: String, to destination: LogDestination) {
        switch destination {
        case .journal:
            Logger(label: "lorad").error("\(message)")
        case .standardError:
            StandardError.writeLine("lorad: \(message)")
        }
    }
}
