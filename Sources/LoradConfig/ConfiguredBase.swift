/// A base model named in the config: its name and where its weights are.
public struct ConfiguredBase: Sendable, Hashable {
    /// The base's name (``ResourceName`` rules), as sessions refer to it.
    public var name: String
    /// The absolute path of a `.safetensors` file or a diffusers folder of shards.
    public var path: String

    /// Makes a base entry.
    public init(name: String, path: String) {
        self.name = name
        self.path = path
    }
}
