import ArgumentParser
import LoradConfig
import LoradDaemon
import Logging
import LoradSystem

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

    @Option(name: .long, help: ArgumentHelp("The adapter store folder (default: $STATE_DIRECTORY, /var/lib/lorad for root, else ~/.local/state/lorad).", valueName: "dir"))
    var stateDir: String?

    @Option(name: .long, help: ArgumentHelp("The Unix socket to listen on (default: $RUNTIME_DIRECTORY/lorad.sock, /run/lorad/lorad.sock for root, else $XDG_RUNTIME_DIR/lorad.sock).", valueName: "path"))
    var socket: String?

    @Option(name: .customLong("base"), help: ArgumentHelp("A base model: a .safetensors file or diffusers folder (repeatable; wins over the file's base of the same name).", valueName: "name=path"))
    var bases: [String] = []

    @Option(name: .long, help: ArgumentHelp("Memory for derived segments, in bytes or with K/M/G/KiB/MiB/GiB (default: half the machine's memory).", valueName: "size"))
    var memoryBudget: String?

    @Option(name: .long, help: ArgumentHelp("The socket's permission bits (default: 0660).", valueName: "octal"))
    var socketMode: String?

    @Option(name: .long, help: ArgumentHelp("Worker threads for decompressing and fusing (default: the core count).", valueName: "n"))
    var threads: String?

    @Flag(name: .long, help: "Check the configuration, print a one-line summary and exit.")
    var checkConfig = false

    /// The flags that override the config file, by the flag ``Setting/all`` declares for
    /// each setting (a test checks every declared flag is here and reaches its setting).
    var overrides: ConfigOverrides {
        let given = ["--state-dir": stateDir, "--socket": socket, "--memory-budget": memoryBudget, "--socket-mode": socketMode, "--threads": threads]
        return ConfigOverrides(configFile: config, bases: bases, values: given.compactMapValues { $0 })
    }

    func run() throws {
        let overrides = self.overrides
        let destination = LoradLogging.bootstrap()
        let daemonConfig: DaemonConfig
        do {
            daemonConfig = try ConfigLoader(environment: .current()).load(overrides)
        } catch {
            Self.reportFatal("\(error)", to: destination)
            throw ExitCode(ConfigError.exitCode)
        }
        if checkConfig {
            print("lorad: \(daemonConfig.summary)")
            return
        }
        var logger = Logger(label: "lorad")
        logger.logLevel = .info
        do {
            try DaemonRunner.run(config: daemonConfig, logger: logger) {
                try ConfigLoader(environment: .current()).load(overrides)
            }
        } catch {
            Self.reportFatal("\(error)", to: destination)
            throw ExitCode.failure
        }
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
