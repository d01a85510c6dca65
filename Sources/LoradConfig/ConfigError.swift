import LoradNotation
import LoradSystem
import LoradTOML

/// A configuration that cannot be used. `lorad` prints ``description`` (one
/// line) on stderr and exits with ``exitCode`` (78, `EX_CONFIG`).
public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The config file is not valid TOML.
    case syntax(TOMLError)
    /// The config file could not be opened or read.
    case unreadableFile(path: String, error: SystemError)
    /// The config file is larger than `limit` bytes.
    case fileTooLarge(path: String, limit: Int)
    /// A key lorad does not know (likely a typo). `key` is the full dotted key
    /// as TOML would write it (parts quoted and escaped when not bare),
    /// `table` the table it was in (nil at the top level), `suggestion` the
    /// nearest known key, if one is close.
    case unknownKey(key: String, table: String?, origin: ConfigOrigin, knownKeys: [String], suggestion: String?)
    /// A value of the wrong type or outside its range, from a file, flag or
    /// the environment. `key` is the config key (`memory_budget`, `bases.x`).
    case invalidValue(key: String, origin: ConfigOrigin, reason: String)
    /// A setting with no value and no way to choose a default (say no
    /// `$XDG_RUNTIME_DIR` for the socket of a non-root daemon).
    case missingSetting(key: String, reason: String)

    /// `EX_CONFIG` from sysexits.h: the exit status for a bad configuration.
    public static let exitCode: Int32 = 78

    /// One line, starting with where the problem is.
    public var description: String {
        switch self {
        case .syntax(let error):
            return error.description
        case .unreadableFile(let path, let error):
            if error.isNotFound { return "config file \(path) does not exist" }
            return "cannot read config file \(path): \(error.message) (\(error.errnoName))"
        case .fileTooLarge(let path, let limit):
            return "config file \(path) is larger than \(ByteSize.format(limit)); a lorad config is a few KiB, so check the path"
        case .unknownKey(let key, let table, let origin, let knownKeys, let suggestion):
            var place = origin.description
            if case .file(let path, let line, _) = origin { place = "\(path):\(line)" }
            let hint = suggestion.map { " (did you mean \($0.displaySingleQuoted)?)" } ?? ""
            let scope = table.map { " in [\($0)]" } ?? ""
            return "unknown key '\(key)' in \(place)\(hint); known keys\(scope) are \(knownKeys.joined(separator: ", "))"
        case .invalidValue(let key, let origin, let reason):
            switch origin {
            case .file: return "\(origin): \(key): \(reason)"
            case .flag: return "\(origin): \(reason)"
            case .environment: return "\(key) (from \(origin)): \(reason)"
            case .builtInDefault: return "\(key): \(reason)"
            }
        case .missingSetting(let key, let reason):
            return "\(key): \(reason)"
        }
    }

    /// Runs a value check, reporting its ``ConfigValueError`` as ``invalidValue(key:origin:reason:)``
    /// of `key` from `origin`.
    static func checking<Value>(
        _ key: String, from origin: ConfigOrigin, _ body: () throws(ConfigValueError) -> Value
    ) throws(ConfigError) -> Value {
        do {
            return try body()
        } catch {
            throw .invalidValue(key: key, origin: origin, reason: error.reason)
        }
    }
}
