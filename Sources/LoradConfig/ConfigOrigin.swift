/// Where a setting's value came from, for messages and `--check-config`.
public enum ConfigOrigin: Sendable, Hashable, CustomStringConvertible {
    /// lorad's built-in default (possibly derived from the uid, memory or cores).
    case builtInDefault
    /// An environment variable, named without the `$`.
    case environment(String)
    /// A config file: its path as given, and the 1-based line and column of the key.
    case file(path: String, line: Int, column: Int)
    /// A command-line flag, such as `--memory-budget`.
    case flag(String)

    /// `built-in default`, `$STATE_DIRECTORY`, `lorad.toml:3:1`, `--socket`.
    public var description: String {
        switch self {
        case .builtInDefault: "built-in default"
        case .environment(let name): "$" + name
        case .file(let path, let line, let column): "\(path):\(line):\(column)"
        case .flag(let name): name
        }
    }
}
