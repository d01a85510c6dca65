import LoradNotation
import LoradSystem

/// The command-line flags of `lorad` that override the config file, exactly
/// as typed. ``ConfigLoader`` parses and checks them, so a bad flag value is a
/// configuration error (exit 78) with the flag's name in the message.
public struct ConfigOverrides: Sendable, Hashable {
    /// `--config FILE`: the TOML file to read; nil reads none (defaults and flags only).
    public var configFile: String?
    /// `--base NAME=PATH`, repeatable; added to the file's bases, winning on a name clash.
    public var bases: [String]
    /// The other flags given, by flag (`"--threads": "8"`): the ``Setting/flag`` of a setting.
    public var values: [String: String]

    /// Overrides from flags given by name (see ``Setting/all`` for the flags).
    public init(configFile: String? = nil, bases: [String] = [], values: [String: String] = [:]) {
        self.configFile = configFile
        self.bases = bases
        self.values = values
    }
}

extension ConfigOverrides {
    /// The flags as a ``ConfigLayer``: values parsed and checked, paths made
    /// absolute against the working directory.
    /// - Throws: ``ConfigError/invalidValue(key:origin:reason:)`` naming the flag.
    func layer(in environment: ProcessEnvironment) throws(ConfigError) -> ConfigLayer {
        var layer = ConfigLayer()
        for setting in Setting.all {
            guard let flag = setting.flagName, let text = values[flag], let field = setting.field else { continue }
            let context = ValueContext(key: setting.key, directory: environment.currentDirectory, environment: environment)
            let value = try ConfigError.checking(setting.key, from: .flag(flag)) { () throws(ConfigValueError) in try field.fromFlag(text, context) }
            if let value { layer.values[setting.key] = Sourced(value: value, origin: .flag(flag)) }
        }
        var seen: Set<String> = []
        for argument in bases {
            let base = try ConfigError.checking("bases", from: .flag("--base")) { () throws(ConfigValueError) in
                try Self.parseBase(argument, ValueContext(key: "bases", directory: environment.currentDirectory, environment: environment))
            }
            guard seen.insert(base.name).inserted else {
                throw ConfigError.invalidValue(
                    key: "bases", origin: .flag("--base"), reason: "base \(base.name.displayQuoted) is given twice; give each name once")
            }
            layer.bases.append(Sourced(value: base, origin: .flag("--base")))
        }
        return layer
    }

    /// `NAME=PATH`.
    private static func parseBase(_ argument: String, _ context: ValueContext) throws(ConfigValueError) -> ConfiguredBase {
        guard let equals = argument.firstIndex(of: "=") else {
            throw ConfigValueError("expected NAME=PATH, got \(argument.displayQuoted)")
        }
        let name = String(argument[..<equals])
        try ConfigRules.baseName(name)
        return ConfiguredBase(name: name, path: try context.path(String(argument[argument.index(after: equals)...])))
    }
}
