/// A place in a TOML document: 1-based line and 1-based column, where the
/// column counts Unicode scalars (not bytes) from the start of the line.
public struct TOMLPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The line number, starting at 1.
    public var line: Int
    /// The column, starting at 1, counted in Unicode scalars.
    public var column: Int

    /// Makes a position from a 1-based line and column.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `7:12`.
    public var description: String { "\(line):\(column)" }

    /// Orders by line, then column.
    public static func < (lhs: TOMLPosition, rhs: TOMLPosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}
