import LoradSystem
import LoradTOML
import LoradTestSupport
import Testing

@testable import LoradConfig

/// ``Setting/all`` is the one place a setting is declared: docs/CONFIG.md's tables, the
/// example config, the defaults the docs state and the `--check-config` summary are checked
/// against it here (lorad's flags in LoradEndToEndTests' LoradFlagsTests).
@Suite struct SettingDeclarationTests {
    /// The markdown table CONFIG.md must hold for the settings of `table` (nil: top level).
    static func markdown(table: String?) -> String {
        var lines = ["| Key | Flag | Type | Default | Takes effect on |", "|---|---|---|---|---|"]
        for setting in Setting.all where setting.field == nil ? table == nil : setting.table == table {
            let key = setting.field == nil ? "`[\(setting.key)]`" : "`\(setting.name)`"
            let flag = setting.flag.map { "`\($0)`" + (setting.field == nil ? " (repeatable)" : "") } ?? "none"
            let reload = switch setting.reload {
            case .live: "reload"
            case .restart: "restart"
            }
            lines.append("| \(key) | \(flag) | \(setting.type) | \(setting.defaultText) | \(reload) |")
        }
        return lines.joined(separator: "\n")
    }

    static func read(_ relativePath: String) throws -> String {
        let file = try FileDescriptor.open(RepositoryPaths.root + "/" + relativePath, .readOnly)
        defer { try? file.close() }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try chunk.withUnsafeMutableBytes { raw in try file.read(into: raw) }
            if count == 0 { break }
            bytes += chunk.prefix(count)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `config` with `setting` set to `literal` (TOML) as if the file said so.
    static func setting(_ setting: Setting, to literal: String, in config: DaemonConfig, loader: ConfigLoader) throws -> DaemonConfig {
        let field = try #require(setting.field)
        let context = ValueContext(key: setting.key, directory: "/etc/lorad", environment: loader.environment)
        let entry = try #require(try TOMLParser.parse("x = \(literal)")["x"])
        var changed = config
        _ = try field.resolve(
            Sourced(value: try field.fromFile(entry.value, literal: entry.literal, context), origin: .builtInDefault),
            key: setting.key, loader: loader, into: &changed)
        return changed
    }

    @Test func configDocTablesAreTheDeclarations() throws {
        let doc = try Self.read("docs/CONFIG.md")
        for table in [nil] + Setting.tables.filter({ $0 != "bases" }) {
            let expected = Self.markdown(table: table)
            #expect(doc.contains(expected), "docs/CONFIG.md should hold, for \(table ?? "the top level"):\n\(expected)")
        }
        let rows = doc.split(separator: "\n").filter { $0.hasPrefix("| `") && ($0.hasSuffix(" | reload |") || $0.hasSuffix(" | restart |")) }
        #expect(rows.count == Setting.all.count, "one row per declared setting")
    }

    /// The example config parses, names only declared keys and, its commented lines
    /// included, shows every setting.
    @Test func exampleConfigNamesTheDeclaredKeys() throws {
        let text = try Self.read("etc/lorad.toml.example")
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let rest = line.dropFirst()
            return line.hasPrefix("#") && rest.contains("=") && (rest.first?.isLetter == true || rest.first == "\"") ? String(rest) : String(line)
        }.joined(separator: "\n")
        let decoder = ConfigFileDecoder(path: "lorad.toml.example", directory: "/etc/lorad", environment: .fake())
        _ = try decoder.decode(try TOMLParser.parse(text, fileName: "lorad.toml.example"))
        let full = try decoder.decode(try TOMLParser.parse(uncommented, fileName: "lorad.toml.example"))
        for setting in Setting.all where setting.field != nil {
            #expect(full.values[setting.key] != nil, "etc/lorad.toml.example should show \(setting.key)")
        }
        #expect(!full.bases.isEmpty)
    }

    /// Each example value is read by its setting; a default the docs spell as a value is the built-in one.
    @Test func examplesParseAndDocumentedDefaultsAreTheBuiltInOnes() throws {
        let loader = ConfigLoader(environment: .fake())
        let defaults = try loader.load(ConfigOverrides())
        for setting in Setting.all {
            guard let field = setting.field else { continue }
            let context = ValueContext(key: setting.key, directory: "/etc/lorad", environment: .fake())
            let example = try #require(try TOMLParser.parse("x = \(setting.example)")["x"])
            _ = try field.fromFile(example.value, literal: example.literal, context)
            let flagText = setting.example.hasPrefix("\"") ? String(setting.example.dropFirst().dropLast()) : setting.example
            if setting.flag != nil {
                #expect(try field.fromFlag(flagText, context) != nil, "\(setting.key): a declared flag needs a flag syntax")
            }
            guard setting.defaultText.hasPrefix("`"), setting.defaultText.hasSuffix("`") else { continue }
            let literal = String(setting.defaultText.dropFirst().dropLast())
            let config = try Self.setting(setting, to: literal, in: defaults, loader: loader)
            #expect(!setting.differs(defaults, config), "\(setting.key): docs say the default is \(literal)")
        }
    }

    /// `--check-config` shows every setting outside `[limits]`: changing one changes the line.
    @Test func summaryShowsEveryTopLevelAndAccessSetting() throws {
        var environment = ProcessEnvironment.fake(uid: 1000, variables: ["HOME": "/home/alice", "XDG_RUNTIME_DIR": "/run/user/1000"])
        environment.coreCount = 2
        let loader = ConfigLoader(environment: environment)
        let defaults = try loader.load(ConfigOverrides())
        for setting in Setting.all where setting.table != "limits" {
            guard setting.field != nil else { continue }
            let config = try Self.setting(setting, to: setting.example, in: defaults, loader: loader)
            #expect(config.summary != defaults.summary, "the summary should show \(setting.key)")
        }
    }

    @Test func flagsAreDeclaredOnceAndKeysAreUnique() {
        let keys = Setting.all.map(\.key)
        #expect(Set(keys).count == keys.count)
        let flags = Setting.all.compactMap(\.flagName)
        #expect(Set(flags).count == flags.count)
        #expect(flags.allSatisfy { $0.hasPrefix("--") })
    }
}
