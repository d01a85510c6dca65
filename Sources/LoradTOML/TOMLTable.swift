/// A TOML table: keys in document order, each with its value and position.
///
/// Two tables are equal when they hold the same keys with equal values; key
/// order and positions are ignored (TOML tables are unordered), so tests can
/// compare a parse against a table built by hand.
public struct TOMLTable: Sendable, Equatable {
    /// The entries in the order their keys first appeared in the document.
    public private(set) var entries: [TOMLEntry]
    private var indexByKey: [String: Int]

    /// An empty table.
    public init() {
        entries = []
        indexByKey = [:]
    }

    /// A table of `pairs`, in order, all at position 1:1. For tests and defaults.
    /// A repeated key keeps its last value.
    public init(_ pairs: KeyValuePairs<String, TOMLValue>) {
        self.init()
        for (key, value) in pairs {
            set(TOMLEntry(key: key, value: value, position: TOMLPosition(line: 1, column: 1)))
        }
    }

    /// The number of keys.
    public var count: Int { entries.count }

    /// True when the table has no keys.
    public var isEmpty: Bool { entries.isEmpty }

    /// The keys in document order.
    public var keys: [String] { entries.map(\.key) }

    /// The entry for `key`, or nil.
    public subscript(key: String) -> TOMLEntry? {
        guard let index = indexByKey[key] else { return nil }
        return entries[index]
    }

    /// Adds `entry`, replacing the value of an existing entry with the same key
    /// (which keeps its place in the order).
    public mutating func set(_ entry: TOMLEntry) {
        if let index = indexByKey[entry.key] {
            entries[index] = entry
        } else {
            indexByKey[entry.key] = entries.count
            entries.append(entry)
        }
    }

    /// Same keys, equal values; order and positions ignored.
    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for entry in lhs.entries {
            guard let other = rhs[entry.key], other.value == entry.value else { return false }
        }
        return true
    }
}
