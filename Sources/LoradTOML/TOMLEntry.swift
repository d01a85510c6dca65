/// One key of a ``TOMLTable`` with its value and where it was written.
public struct TOMLEntry: Sendable, Equatable {
    /// The key within its table (one part of a dotted key, escapes resolved).
    public var key: String
    /// The value.
    public var value: TOMLValue
    /// Where the key (the whole dotted key or `[header]` that created it) starts.
    public var position: TOMLPosition
    /// The value exactly as written in the document (`0o660`, `"32GiB"`), for
    /// scalars; nil for arrays and tables. Lets a reader tell `0o660` from `432`.
    public var literal: String?

    /// Makes an entry.
    public init(key: String, value: TOMLValue, position: TOMLPosition, literal: String? = nil) {
        self.key = key
        self.value = value
        self.position = position
        self.literal = literal
    }
}
