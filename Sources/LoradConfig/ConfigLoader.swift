import LoradNotation
import LoradSystem
import LoradTOML

/// Builds the daemon's ``DaemonConfig``: built-in defaults, overridden by the
/// config file, overridden by the flags; then checks the result.
///
/// Everything it needs from the machine comes from its ``ProcessEnvironment``,
/// so it can be tested without real users, files or variables. Loading again
/// (on `SIGHUP`) is just another call to ``load(_:)``.
///
/// Defaults: state folder `$STATE_DIRECTORY` (its first path), else
/// `/var/lib/lorad` for root, else `$XDG_STATE_HOME/lorad` or
/// `~/.local/state/lorad`; socket `$RUNTIME_DIRECTORY/lorad.sock`, else
/// `/run/lorad/lorad.sock` for root, else `$XDG_RUNTIME_DIR/lorad.sock`; mode
/// 0660; memory budget half the machine's memory; one thread per core.
public struct ConfigLoader: Sendable {
    /// The largest config file accepted, in bytes (1 MiB).
    public static let maximumFileSize = TOMLParser.maximumInputSize

    /// The variables the defaults read: systemd's `STATE_DIRECTORY` and
    /// `RUNTIME_DIRECTORY`, XDG's `XDG_STATE_HOME` and `XDG_RUNTIME_DIR`, and `HOME`.
    public static let variableNames = ["STATE_DIRECTORY", "RUNTIME_DIRECTORY", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "HOME"]

    /// Where defaults, accounts and files come from.
    public var environment: ProcessEnvironment

    /// A loader for `environment` (in the daemon, ``ProcessEnvironment/current(reading:)``
    /// of ``variableNames``).
    public init(environment: ProcessEnvironment) {
        self.environment = environment
    }

    /// Reads the config file named by `overrides` (if any), applies the flags
    /// and defaults, and checks everything.
    /// - Throws: ``ConfigError``: an unreadable or oversized file, a syntax
    ///   error, an unknown key, a bad value, an unknown group or a missing base.
    public func load(_ overrides: ConfigOverrides) throws(ConfigError) -> DaemonConfig {
        var file = ConfigLayer()
        if let path = overrides.configFile {
            let bytes: [UInt8]
            do {
                bytes = try environment.system.readFile(at: path, maximumBytes: ConfigLoader.maximumFileSize + 1)
            } catch {
                throw ConfigError.unreadableFile(path: path, error: error)
            }
            guard bytes.count <= ConfigLoader.maximumFileSize else {
                throw ConfigError.fileTooLarge(path: path, limit: ConfigLoader.maximumFileSize)
            }
            file = try decodeFile(bytes, path: path)
        }
        let flags = try overrides.layer(in: environment)
        return try resolve(file: file, flags: flags, configFile: overrides.configFile)
    }

    /// Parses and checks the text of a config file called `path` (as given;
    /// relative paths inside it are taken from its folder).
    func decodeFile(_ bytes: [UInt8], path: String) throws(ConfigError) -> ConfigLayer {
        let table: TOMLTable
        do {
            table = try TOMLParser.parse(bytes, fileName: path)
        } catch {
            throw ConfigError.syntax(error)
        }
        let absolute = path.hasPrefix("/") ? path : environment.currentDirectory + "/" + path
        let decoder = ConfigFileDecoder(path: path, directory: PathName.folder(absolute), environment: environment)
        return try decoder.decode(table)
    }

    /// Stacks defaults <- file <- flags, setting by setting in ``Setting/all`` order, and
    /// checks what only the whole can tell.
    func resolve(file: ConfigLayer, flags: ConfigLayer, configFile: String?) throws(ConfigError) -> DaemonConfig {
        var config = DaemonConfig(
            configFile: configFile, bases: [], stateDirectory: "", socketPath: "", socketMode: 0, memoryBudget: 0, threads: 0,
            access: AccessPolicy(daemonUID: environment.uid), limits: .defaults)
        for setting in Setting.all {
            guard let field = setting.field else { continue }
            let given = flags.values[setting.key] ?? file.values[setting.key]
            config.origins[setting.key] = try field.resolve(given, key: setting.key, loader: self, into: &config)
        }
        var bases = file.bases
        for base in flags.bases {
            if let index = bases.firstIndex(where: { $0.value.name == base.value.name }) {
                bases[index] = base
            } else {
                bases.append(base)
            }
        }
        for base in bases {
            let key = "bases." + TOMLKey.written(base.value.name)
            config.origins[key] = base.origin
            try checkBasePath(base, key: key)
        }
        config.bases = bases.map(\.value)
        return config
    }

    private func checkBasePath(_ base: Sourced<ConfiguredBase>, key: String) throws(ConfigError) {
        let path = base.value.path
        let reason: String
        switch environment.system.pathKind(at: path) {
        case .regularFile, .directory: return
        case .missing: reason = "\(path) does not exist; point it at a .safetensors file or a diffusers folder"
        case .other: reason = "\(path) is neither a file nor a folder"
        case .inaccessible(let error): reason = "cannot access \(path): \(error.message) (\(error.errnoName))"
        }
        throw ConfigError.invalidValue(key: key, origin: base.origin, reason: reason)
    }

    // MARK: Defaults

    /// The first absolute path in a colon-separated systemd directory variable.
    private func systemdDirectory(_ name: String, key: String) throws(ConfigError) -> String? {
        guard let value = environment.variables[name], let first = value.split(separator: ":").first else { return nil }
        guard first.hasPrefix("/") else {
            throw ConfigError.invalidValue(key: key, origin: .environment(name), reason: "\(String(first).displayQuoted) is not an absolute path")
        }
        return String(first)
    }

    /// An XDG base directory variable, which the XDG spec says to ignore unless absolute.
    private func xdgDirectory(_ name: String) -> String? {
        guard let value = environment.variables[name], value.hasPrefix("/") else { return nil }
        return value
    }

    func defaultStateDirectory() throws(ConfigError) -> Sourced<String> {
        if let directory = try systemdDirectory("STATE_DIRECTORY", key: "state_dir") {
            return Sourced(value: directory, origin: .environment("STATE_DIRECTORY"))
        }
        if environment.uid == 0 { return Sourced(value: "/var/lib/lorad", origin: .builtInDefault) }
        if let state = xdgDirectory("XDG_STATE_HOME") {
            return Sourced(value: try tidy(state + "/lorad", key: "state_dir", variable: "XDG_STATE_HOME"), origin: .environment("XDG_STATE_HOME"))
        }
        if let home = xdgDirectory("HOME") {
            return Sourced(value: try tidy(home + "/.local/state/lorad", key: "state_dir", variable: "HOME"), origin: .environment("HOME"))
        }
        throw ConfigError.missingSetting(
            key: "state_dir", reason: "no state folder: neither STATE_DIRECTORY, XDG_STATE_HOME nor HOME is set; pass --state-dir DIR or set state_dir in the config")
    }

    func defaultSocketPath() throws(ConfigError) -> Sourced<String> {
        if let directory = try systemdDirectory("RUNTIME_DIRECTORY", key: "socket") {
            return Sourced(value: try tidy(directory + "/lorad.sock", key: "socket", variable: "RUNTIME_DIRECTORY"), origin: .environment("RUNTIME_DIRECTORY"))
        }
        if environment.uid == 0 { return Sourced(value: "/run/lorad/lorad.sock", origin: .builtInDefault) }
        if let runtime = xdgDirectory("XDG_RUNTIME_DIR") {
            return Sourced(value: try tidy(runtime + "/lorad.sock", key: "socket", variable: "XDG_RUNTIME_DIR"), origin: .environment("XDG_RUNTIME_DIR"))
        }
        throw ConfigError.missingSetting(
            key: "socket", reason: "no socket path: XDG_RUNTIME_DIR is not set (and lorad is not root); pass --socket PATH or set socket in the config")
    }

    private func tidy(_ path: String, key: String, variable: String) throws(ConfigError) -> String {
        try ConfigError.checking(key, from: .environment(variable)) { () throws(ConfigValueError) in
            try ConfigRules.path(path, relativeTo: "/", home: nil)
        }
    }

    func defaultMemoryBudget() throws(ConfigError) -> Sourced<Int> {
        let half = environment.physicalMemory / 2
        guard half >= ConfigRules.minimumMemoryBudget else {
            throw ConfigError.missingSetting(
                key: "memory_budget", reason: "cannot tell how much memory this machine has; set memory_budget in the config or pass --memory-budget SIZE")
        }
        return Sourced(value: half, origin: .builtInDefault)
    }
}
