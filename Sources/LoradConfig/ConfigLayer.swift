/// The settings one source (the config file, or the flags) gives, keyed by config key;
/// absent where it says nothing. ``ConfigLoader`` stacks defaults <- file <- flags.
struct ConfigLayer: Sendable {
    var values: [String: Sourced<any Sendable>] = [:]
    var bases: [Sourced<ConfiguredBase>] = []
}
