import LoradTOML

/// The command-line flags of `lorad` that override the config file, exactly
/// as typed. ``ConfigLoader`` parses and checks them, so a bad flag value is a
/// configuration error (exit 78) with the flag's name in the message.
public struct ConfigOverrides: Sendable, Hashable {
    /// `--config FILE`: the TOML file to read; nil reads none (defaults and flags only).
    public var configFile: String?
    /// `--state-dir DIR`.
    public var stateDirectory: String?
    /// `--socket PATH`.
    public var socketPath: String?
    /// `--base NAME=PATH`, repeatable; added to the file's bases, winning on a name clash.
    public var bases: [String]
    /// `--memory-budget SIZE`: bytes, or with a unit (`32GiB`, `512M`).
    public var memoryBudget: String?
    /// `--socket-mode OCTAL` (`0660`).
    public var socketMode: String?
    /// `--threads N`.
    public var threads: String?

    /// Overrides for the given flags; nil or empty means "not given".
    public init(
        configFile: String? = nil, stateDirectory: String? = nil, socketPath: String? = nil,
        bases: [String] = [], memoryBudget: String? = nil, socketMode: String? = nil, threads: String? = nil
    ) {
        self.configFile = configFile
        self.stateDirectory = stateDirectory
        self.socketPath = socketPath
        self.bases = bases
        self.memoryBudget = memoryBudget
        self.socketMode = socketMode
        self.threads = threads
    }
}
