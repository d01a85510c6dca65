import LoradTensors

/// The raw material of an adapter: its safetensors weights and, for PEFT, the
/// bytes of `adapter_config.json`. Built from a path by ``open(path:)`` (the thin
/// file-system edge) or from descriptors a client passed to the daemon.
public struct AdapterSource: Sendable {
    /// Where it came from, for messages (a path or a file name).
    public var origin: String
    /// The weights, mapped zero-copy.
    public var weights: SafetensorsFile
    /// The bytes of `adapter_config.json`, when there is one (PEFT).
    public var configJSON: [UInt8]?

    /// Wraps already-opened parts.
    public init(origin: String, weights: SafetensorsFile, configJSON: [UInt8]? = nil) {
        self.origin = origin
        self.weights = weights
        self.configJSON = configJSON
    }
}
