/// What the running process sees of its machine that defaults are derived from (lorad's
/// settings: state folder, socket, memory budget, threads): chosen environment variables,
/// the real uid, memory size, core count, working directory and the system lookups. A
/// value passed in, so that code deriving defaults is tested with made-up ones.
public struct ProcessEnvironment: Sendable {
    /// The environment variables that were asked for (see ``current(reading:)``); others
    /// may be present and are ignored.
    public var variables: [String: String]
    /// The process's real uid (lorad: root (0) gets system paths, and this uid is always
    /// allowed to connect and administer).
    public var uid: UInt32
    /// The machine's memory in bytes; 0 if unknown.
    public var physicalMemory: Int
    /// The number of usable cores, at least 1.
    public var coreCount: Int
    /// The absolute working directory, against which relative paths resolve.
    public var currentDirectory: String
    /// Account, file-kind and file-content lookups.
    public var system: any SystemLookups

    /// An environment from explicit values.
    public init(
        variables: [String: String], uid: UInt32, physicalMemory: Int, coreCount: Int,
        currentDirectory: String, system: any SystemLookups
    ) {
        self.variables = variables
        self.uid = uid
        self.physicalMemory = physicalMemory
        self.coreCount = coreCount
        self.currentDirectory = currentDirectory
        self.system = system
    }
}
