/// Everything about the running process that the defaults depend on, passed in
/// so that tests need no real environment: variables, uid, memory size, core
/// count, working directory and the system lookups.
public struct ConfigEnvironment: Sendable {
    /// The environment variables the defaults read (see ``variableNames``);
    /// others may be present and are ignored.
    public var variables: [String: String]
    /// The daemon's own uid: root (0) gets system paths, and this uid is always
    /// allowed to connect and administer.
    public var uid: UInt32
    /// The machine's memory in bytes; the default memory budget is half of it.
    public var physicalMemory: Int
    /// The number of usable cores; the default number of worker threads.
    public var coreCount: Int
    /// The absolute working directory, against which relative flag paths resolve.
    public var currentDirectory: String
    /// Account, file-kind and file-content lookups.
    public var system: any ConfigSystem

    /// The variables lorad's defaults read: systemd's `STATE_DIRECTORY` and
    /// `RUNTIME_DIRECTORY`, XDG's `XDG_STATE_HOME` and `XDG_RUNTIME_DIR`, and `HOME`.
    public static let variableNames = ["STATE_DIRECTORY", "RUNTIME_DIRECTORY", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "HOME"]

    /// An environment from explicit values.
    public init(
        variables: [String: String], uid: UInt32, physicalMemory: Int, coreCount: Int,
        currentDirectory: String, system: any ConfigSystem
    ) {
        self.variables = variables
        self.uid = uid
        self.physicalMemory = physicalMemory
        self.coreCount = coreCount
        self.currentDirectory = currentDirectory
        self.system = system
    }
}
