/// A base model an adapter version was checked against: its fingerprint (see
/// `BaseFingerprint`) and the name it had when the adapter was imported
/// (a config name such as `cogvideox-5b`, or a path for offline imports).
public struct CompatibleBase: Sendable, Hashable, Comparable {
    /// 64 lowercase hex digits (`BaseFingerprint.compute`).
    public var fingerprint: String
    /// The base's name as seen at import; informational (1...4096 bytes).
    public var name: String

    /// Creates a base entry; `NewAdapterRecord.validate()` checks the fields.
    public init(fingerprint: String, name: String) {
        self.fingerprint = fingerprint
        self.name = name
    }

    /// Orders by fingerprint, then name.
    public static func < (lhs: CompatibleBase, rhs: CompatibleBase) -> Bool {
        (lhs.fingerprint, lhs.name) < (rhs.fingerprint, rhs.name)
    }
}
