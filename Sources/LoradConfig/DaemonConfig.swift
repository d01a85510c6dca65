import LoradSystem

/// The daemon's settings, resolved (defaults <- config file <- flags) and
/// checked: every path absolute, every name valid, every group resolved, every
/// number in range. Made by ``ConfigLoader``.
public struct DaemonConfig: Sendable, Equatable {
    /// The config file that was read, as given on the command line; nil if none.
    public var configFile: String?
    /// The base models, in config order (file order, then bases only named by flags).
    public var bases: [ConfiguredBase]
    /// The absolute folder of the adapter store and catalog.
    public var stateDirectory: String
    /// The absolute path of the listening Unix socket (at most 107 bytes).
    public var socketPath: String
    /// The socket's permission bits, `0o660` by default; at most `0o777`.
    public var socketMode: UInt32
    /// The gid the socket file is given (`socket_group`, resolved from a name when loaded);
    /// nil keeps the group the file gets when it is bound (the daemon's, or its folder's
    /// when the folder is set-group-ID).
    public var socketGroup: UInt32?
    /// Bytes of derived segments (factor sets, fused overlays) kept in memory;
    /// bases do not count against it. At least 1 MiB.
    public var memoryBudget: Int
    /// Worker threads for decompressing and fusing, 1...1024.
    public var threads: Int
    /// Who may connect and who may administer.
    public var access: AccessPolicy
    /// Per-client limits and timeouts.
    public var limits: ConnectionLimits
    /// Where each setting came from, keyed by its config key (`state_dir`,
    /// `bases.cogvideox-5b`, `limits.handshake_timeout`...).
    public var origins: [String: ConfigOrigin]

    /// Makes a config from explicit values (unchecked; tests and the loader).
    public init(
        configFile: String? = nil, bases: [ConfiguredBase], stateDirectory: String, socketPath: String,
        socketMode: UInt32, socketGroup: UInt32? = nil, memoryBudget: Int, threads: Int, access: AccessPolicy, limits: ConnectionLimits,
        origins: [String: ConfigOrigin] = [:]
    ) {
        self.configFile = configFile
        self.bases = bases
        self.stateDirectory = stateDirectory
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.socketGroup = socketGroup
        self.memoryBudget = memoryBudget
        self.threads = threads
        self.access = access
        self.limits = limits
        self.origins = origins
    }

    /// The base called `name`, or nil.
    public func base(named name: String) -> ConfiguredBase? {
        bases.first { $0.name == name }
    }
}
