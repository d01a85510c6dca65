import LoradNotation

/// When a changed setting takes effect.
public enum SettingReload: Sendable, Hashable {
    /// On reload (`systemctl reload lorad`, SIGHUP), for new connections.
    case live
    /// Only at the next start; a reload reports it and keeps the running value.
    case restart
}

/// Everything lorad knows about one config key: the one place a setting is declared
/// (see ``all``). The loader, the flags, the reload plan and the tests that check
/// docs/CONFIG.md, etc/lorad.toml.example and `lorad --help` all read these.
public struct Setting: Sendable {
    /// The key as written in the file, dotted inside a table: `threads`, `limits.handshake_timeout`.
    public let key: String
    /// One line on what it does, as `lorad --help` shows it for a flag.
    public let doc: String
    /// The flag and its value as `lorad --help` shows them (`--threads N`); nil when only the file sets it.
    public let flag: String?
    /// The type column of CONFIG.md: `integer, 1 to 1024`.
    public let type: String
    /// The default column of CONFIG.md: a TOML value in backquotes (`` `256` ``) or words.
    public let defaultText: String
    /// When a change takes effect.
    public let reload: SettingReload
    /// A value to show in examples, as TOML writes it: `8`, `"5s"`, `["lorad"]`.
    public let example: String
    /// How values are read, stored and compared; nil for `[bases]`, which the loader reads itself.
    let field: (any SettingField)?

    /// The table holding the key (`limits`), nil at the top level.
    public var table: String? { key.firstIndex(of: ".").map { String(key[..<$0]) } }
    /// The key inside its table: `handshake_timeout`.
    public var name: String { key.firstIndex(of: ".").map { String(key[key.index(after: $0)...]) } ?? key }
    /// The flag alone, `--threads`.
    public var flagName: String? { flag.map { String($0.prefix { $0 != " " }) } }
    /// The flag's value as `lorad --help` names it: `n` for `--threads N`.
    public var flagValueName: String? { flag.map { String($0.drop { $0 != " " }.dropFirst()).lowercased() } }

    /// The setting whose flag is `flagName` (`--threads`).
    public static func flagged(_ flagName: String) -> Setting? { all.first { $0.flagName == flagName } }

    /// True when the setting's value differs between two configs (false for `[bases]`).
    public func differs(_ a: DaemonConfig, _ b: DaemonConfig) -> Bool { field?.differs(a, b) ?? false }

    /// Copies the setting's value from `running` into `config` (for what needs a restart).
    public func keep(_ running: DaemonConfig, in config: inout DaemonConfig) { field?.copy(from: running, to: &config) }

    /// The declared setting for `name` in `table` (nil: top level).
    static func named(_ name: String, in table: String?) -> Setting? {
        all.first { $0.field != nil && $0.table == table && $0.name == name }
    }

    /// The tables, in order: `bases`, `access`, `limits`.
    static var tables: [String] {
        var names: [String] = []
        for setting in all where !names.contains(setting.table ?? setting.key) && (setting.table != nil || setting.field == nil) {
            names.append(setting.table ?? setting.key)
        }
        return names
    }

    init<Value: Sendable & Equatable>(
        _ key: String, doc: String, flag: String? = nil, type: String, default defaultText: String, reload: SettingReload,
        example: String, _ field: WritableKeyPath<DaemonConfig, Value> & Sendable, _ syntax: SettingSyntax<Value>,
        fallback: @escaping @Sendable (ConfigLoader) throws(ConfigError) -> Sourced<Value>,
        check: (@Sendable (Value) throws(ConfigValueError) -> Void)? = nil
    ) {
        self.init(
            key: key, doc: doc, flag: flag, type: type, defaultText: defaultText, reload: reload, example: example,
            field: TypedField(field: field, syntax: syntax, fallback: fallback, check: check))
    }

    /// A table the loader reads itself (`[bases]`).
    init(table key: String, doc: String, flag: String, type: String, default defaultText: String, reload: SettingReload, example: String) {
        self.init(key: key, doc: doc, flag: flag, type: type, defaultText: defaultText, reload: reload, example: example, field: nil)
    }

    private init(
        key: String, doc: String, flag: String?, type: String, defaultText: String, reload: SettingReload, example: String,
        field: (any SettingField)?
    ) {
        self.key = key
        self.doc = doc
        self.flag = flag
        self.type = type
        self.defaultText = defaultText
        self.reload = reload
        self.example = example
        self.field = field
    }
}

extension Sourced {
    /// A built-in default.
    static func builtIn(_ value: Value) -> Sourced { Sourced(value: value, origin: .builtInDefault) }
}
