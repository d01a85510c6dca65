import LoradNotation
import LoradSystem
import LoradTOML

/// What a value is read against: the key (for messages), the folder relative paths start
/// from (the file's folder, or the working directory for flags) and the machine.
struct ValueContext {
    let key: String
    let directory: String
    let environment: ProcessEnvironment
}

/// A setting's value, its type erased so that ``Setting/all`` can list settings of any type.
protocol SettingField: Sendable {
    /// The value of a TOML entry.
    func fromFile(_ value: TOMLValue, literal: String?, _ context: ValueContext) throws(ConfigValueError) -> any Sendable
    /// The value of a flag as typed; nil when the setting has no flag syntax.
    func fromFlag(_ text: String, _ context: ValueContext) throws(ConfigValueError) -> (any Sendable)?
    /// Stores the flag's value, else the file's, else the default, in `config`; returns where it came from.
    func resolve(_ given: Sourced<any Sendable>?, key: String, loader: ConfigLoader, into config: inout DaemonConfig) throws(ConfigError) -> ConfigOrigin
    func differs(_ a: DaemonConfig, _ b: DaemonConfig) -> Bool
    func copy(from running: DaemonConfig, to config: inout DaemonConfig)
}

struct TypedField<Value: Sendable & Equatable>: SettingField {
    let field: WritableKeyPath<DaemonConfig, Value> & Sendable
    let syntax: SettingSyntax<Value>
    let fallback: @Sendable (ConfigLoader) throws(ConfigError) -> Sourced<Value>
    let check: (@Sendable (Value) throws(ConfigValueError) -> Void)?

    func fromFile(_ value: TOMLValue, literal: String?, _ context: ValueContext) throws(ConfigValueError) -> any Sendable {
        try syntax.file(value, literal, context)
    }

    func fromFlag(_ text: String, _ context: ValueContext) throws(ConfigValueError) -> (any Sendable)? {
        try syntax.flag.map { (parse) throws(ConfigValueError) in try parse(text, context) }
    }

    func resolve(_ given: Sourced<any Sendable>?, key: String, loader: ConfigLoader, into config: inout DaemonConfig) throws(ConfigError) -> ConfigOrigin {
        let chosen: Sourced<Value>
        if let given, let value = given.value as? Value {
            chosen = Sourced(value: value, origin: given.origin)
        } else {
            chosen = try fallback(loader)
        }
        if let check {
            try ConfigError.checking(key, from: chosen.origin) { () throws(ConfigValueError) in try check(chosen.value) }
        }
        config[keyPath: field] = chosen.value
        return chosen.origin
    }

    func differs(_ a: DaemonConfig, _ b: DaemonConfig) -> Bool { a[keyPath: field] != b[keyPath: field] }

    func copy(from running: DaemonConfig, to config: inout DaemonConfig) { config[keyPath: field] = running[keyPath: field] }
}
