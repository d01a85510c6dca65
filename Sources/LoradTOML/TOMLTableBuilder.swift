/// A table under construction while a TOML document is parsed: it remembers how
/// each sub-table came to exist, which decides what may still be added to it
/// (TOML 1.0's rules on redefining tables). Internal to the parser.
final class TOMLTableBuilder {
    /// How a table was created.
    enum Origin {
        /// The document itself.
        case root
        /// Named by its own `[header]`.
        case header
        /// Created as the parent of a `[a.b]` header; a later `[a]` may still define it.
        case implicitByHeader
        /// Created by a dotted key `a.b = 1`.
        case dottedKey
    }

    /// One key of the table.
    enum Child {
        /// A finished value (scalars, arrays and inline tables, which are sealed).
        case value(TOMLEntry)
        /// A table that may still grow.
        case table(TOMLTableBuilder)
    }

    var origin: Origin
    /// Where the key, dotted key or header that created this table starts.
    let position: TOMLPosition
    private(set) var order: [String] = []
    private(set) var children: [String: Child] = [:]

    init(origin: Origin, position: TOMLPosition) {
        self.origin = origin
        self.position = position
    }

    subscript(key: String) -> Child? { children[key] }

    /// Adds a key that must not exist yet (the caller checked).
    func add(_ key: String, _ child: Child) {
        if children.updateValue(child, forKey: key) == nil { order.append(key) }
    }

    /// The finished, immutable table. Recursion is bounded by the parser's depth limit.
    func build() -> TOMLTable {
        var table = TOMLTable()
        for key in order {
            switch children[key] {
            case .value(let entry):
                table.set(entry)
            case .table(let builder):
                table.set(TOMLEntry(key: key, value: .table(builder.build()), position: builder.position))
            case nil:
                break
            }
        }
        return table
    }
}
