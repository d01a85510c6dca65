import LoradWire

/// One adapter of a session's active set: name, resolved version, the pack digest that
/// identifies its bytes, and the weight it is applied with.
public struct SessionAdapter: Hashable, Sendable {
    /// The adapter name.
    public var name: String
    /// The resolved version (never "latest").
    public var version: Int
    /// The SHA-256 of its pack, lower-case hex.
    public var digest: String
    /// The weight w_i (finite).
    public var weight: Double

    /// Makes an entry.
    public init(name: String, version: Int, digest: String, weight: Double) {
        self.name = name
        self.version = version
        self.digest = digest
        self.weight = weight
    }

    /// `name@version`.
    public var reference: String { "\(name)@\(version)" }

    /// The wire record.
    public var wire: ActiveAdapter {
        ActiveAdapter(name: name, version: UInt32(clamping: version), weight: weight)
    }
}
