import LoradNotation
import LoradSystem
import LoradTOML

/// Turns the parsed TOML of a config file into a ``ConfigLayer``: checks every key is
/// declared in ``Setting/all``, reads each value with its setting's syntax (relative
/// paths from the file's folder, account names looked up).
struct ConfigFileDecoder {
    /// The file's path as given, for messages.
    let path: String
    /// The absolute folder of the file, for relative paths inside it.
    let directory: String
    let environment: ProcessEnvironment

    func decode(_ root: TOMLTable) throws(ConfigError) -> ConfigLayer {
        var layer = ConfigLayer()
        let tables = Setting.tables
        for entry in root.entries {
            if entry.key == "bases" {
                layer.bases = try bases(try table(entry, example: "[bases] with lines like cogvideox-5b = \"/models/CogVideoX-5b/transformer\""))
            } else if tables.contains(entry.key) {
                let first = Setting.all.first { $0.table == entry.key }
                let inner = try table(entry, example: "[\(entry.key)] with \(first?.name ?? "") = \(first?.example ?? "")")
                for inside in inner.entries { try read(inside, table: entry.key, into: &layer) }
            } else {
                try read(entry, table: nil, into: &layer)
            }
        }
        return layer
    }

    private func read(_ entry: TOMLEntry, table: String?, into layer: inout ConfigLayer) throws(ConfigError) {
        guard let setting = Setting.named(entry.key, in: table), let field = setting.field else {
            let known = Setting.all.filter { $0.table == table && $0.field != nil }.map(\.name) + (table == nil ? Setting.tables : [])
            let shown = known.map { table == nil && Setting.tables.contains($0) ? "[\($0)]" : $0 }
            throw ConfigError.unknownKey(
                key: (table.map { $0 + "." } ?? "") + TOMLKey.written(entry.key),
                table: table, origin: origin(entry), knownKeys: shown,
                suggestion: ConfigRules.suggestion(for: entry.key, among: known))
        }
        let context = ValueContext(key: setting.key, directory: directory, environment: environment)
        let value = try ConfigError.checking(setting.key, from: origin(entry)) { () throws(ConfigValueError) in
            try field.fromFile(entry.value, literal: entry.literal, context)
        }
        layer.values[setting.key] = Sourced(value: value, origin: origin(entry))
    }

    private func bases(_ table: TOMLTable) throws(ConfigError) -> [Sourced<ConfiguredBase>] {
        var bases: [Sourced<ConfiguredBase>] = []
        for entry in table.entries {
            let key = "bases." + TOMLKey.written(entry.key)
            try ConfigError.checking(key, from: origin(entry)) { () throws(ConfigValueError) in try ConfigRules.baseName(entry.key) }
            if case .table = entry.value {
                throw invalid(entry, key, "must be the path of a .safetensors file or diffusers folder, in quotes, not a table (quote a name that contains dots: \"\(entry.key).x\" = \"...\")")
            }
            let context = ValueContext(key: key, directory: directory, environment: environment)
            let path = try ConfigError.checking(key, from: origin(entry)) { () throws(ConfigValueError) in
                try SettingSyntax<String>.path.file(entry.value, nil, context)
            }
            bases.append(Sourced(value: ConfiguredBase(name: entry.key, path: path), origin: origin(entry)))
        }
        return bases
    }

    private func table(_ entry: TOMLEntry, example: String) throws(ConfigError) -> TOMLTable {
        guard case .table(let table) = entry.value else {
            throw invalid(entry, entry.key, "must be a table, not \(entry.value.kindDescription); write \(example)")
        }
        return table
    }

    private func origin(_ entry: TOMLEntry) -> ConfigOrigin {
        .file(path: path, line: entry.position.line, column: entry.position.column)
    }

    private func invalid(_ entry: TOMLEntry, _ key: String, _ reason: String) -> ConfigError {
        .invalidValue(key: key, origin: origin(entry), reason: reason)
    }
}
