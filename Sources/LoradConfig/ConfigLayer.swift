/// The settings one source (the config file, or the flags) gives; nil where
/// it says nothing. ``ConfigLoader`` stacks defaults <- file <- flags.
struct ConfigLayer: Sendable {
    var stateDirectory: Sourced<String>?
    var socketPath: Sourced<String>?
    var socketMode: Sourced<UInt32>?
    var memoryBudget: Sourced<Int>?
    var threads: Sourced<Int>?
    var bases: [Sourced<ConfiguredBase>] = []
    var allowedUIDs: Sourced<[UInt32]>?
    var allowedGIDs: Sourced<[UInt32]>?
    var adminUIDs: Sourced<[UInt32]>?
    var adminGIDs: Sourced<[UInt32]>?
    var sessionsPerUID: Sourced<Int>?
    var requestsInFlightPerConnection: Sourced<Int>?
    var handshakeTimeout: Sourced<Duration>?
    var partialFrameTimeout: Sourced<Duration>?
}
