import LoradTOML

/// Turns the parsed TOML of a config file into a ``ConfigLayer``: checks every
/// key is known, every value has the right type and range, resolves paths
/// (relative to the file's folder) and account names.
struct ConfigFileDecoder {
    /// The file's path as given, for messages.
    let path: String
    /// The absolute folder of the file, for relative paths inside it.
    let directory: String
    let environment: ConfigEnvironment

    static let topLevelKeys = ["state_dir", "socket", "socket_mode", "memory_budget", "threads", "bases", "access", "limits"]
    static let tableKeys: Set = ["bases", "access", "limits"]
    static let accessKeys = ["allow_groups", "allow_uids", "admin_groups", "admin_uids"]
    static let limitsKeys = ["sessions_per_uid", "requests_in_flight_per_connection", "handshake_timeout", "partial_frame_timeout"]

    func decode(_ root: TOMLTable) throws(ConfigError) -> ConfigLayer {
        var layer = ConfigLayer()
        for entry in root.entries {
            let key = entry.key
            switch key {
            case "state_dir":
                layer.stateDirectory = sourced(entry, try path(entry, key))
            case "socket":
                layer.socketPath = sourced(entry, try path(entry, key))
            case "socket_mode":
                layer.socketMode = sourced(entry, try socketMode(entry))
            case "memory_budget":
                layer.memoryBudget = sourced(entry, try memoryBudget(entry))
            case "threads":
                layer.threads = sourced(entry, try integer(entry, key, in: ConfigRules.threads, what: "the number of threads"))
            case "bases":
                layer.bases = try bases(try table(entry, key, example: "[bases] with lines like cogvideox-5b = \"/models/CogVideoX-5b/transformer\""))
            case "access":
                try access(try table(entry, key, example: "[access] with allow_groups = [\"lorad\"]"), into: &layer)
            case "limits":
                try limits(try table(entry, key, example: "[limits] with sessions_per_uid = 256"), into: &layer)
            default:
                throw unknown(entry, key: TOMLKey.written(key), table: nil, known: ConfigFileDecoder.topLevelKeys)
            }
        }
        return layer
    }

    // MARK: Sections

    private func bases(_ table: TOMLTable) throws(ConfigError) -> [Sourced<ConfiguredBase>] {
        var bases: [Sourced<ConfiguredBase>] = []
        for entry in table.entries {
            let key = "bases." + TOMLKey.written(entry.key)
            try check(entry, key) { () throws(ConfigValueError) in try ResourceName.validate(entry.key, kind: "base") }
            if case .table = entry.value {
                throw invalid(entry, key, "must be the path of a .safetensors file or diffusers folder, in quotes, not a table (quote a name that contains dots: \"\(entry.key).x\" = \"...\")")
            }
            bases.append(sourced(entry, ConfiguredBase(name: entry.key, path: try path(entry, key))))
        }
        return bases
    }

    private func access(_ table: TOMLTable, into layer: inout ConfigLayer) throws(ConfigError) {
        for entry in table.entries {
            let key = "access." + entry.key
            switch entry.key {
            case "allow_groups": layer.allowedGIDs = sourced(entry, try accounts(entry, key, groups: true))
            case "allow_uids": layer.allowedUIDs = sourced(entry, try accounts(entry, key, groups: false))
            case "admin_groups": layer.adminGIDs = sourced(entry, try accounts(entry, key, groups: true))
            case "admin_uids": layer.adminUIDs = sourced(entry, try accounts(entry, key, groups: false))
            default: throw unknown(entry, key: "access." + TOMLKey.written(entry.key), table: "access", known: ConfigFileDecoder.accessKeys)
            }
        }
    }

    private func limits(_ table: TOMLTable, into layer: inout ConfigLayer) throws(ConfigError) {
        for entry in table.entries {
            let key = "limits." + entry.key
            switch entry.key {
            case "sessions_per_uid":
                layer.sessionsPerUID = sourced(entry, try integer(entry, key, in: ConfigRules.sessionsPerUID, what: key))
            case "requests_in_flight_per_connection":
                layer.requestsInFlightPerConnection = sourced(entry, try integer(entry, key, in: ConfigRules.requestsInFlight, what: key))
            case "handshake_timeout":
                layer.handshakeTimeout = sourced(entry, try timeout(entry, key))
            case "partial_frame_timeout":
                layer.partialFrameTimeout = sourced(entry, try timeout(entry, key))
            default:
                throw unknown(entry, key: "limits." + TOMLKey.written(entry.key), table: "limits", known: ConfigFileDecoder.limitsKeys)
            }
        }
    }

    // MARK: Values

    private func path(_ entry: TOMLEntry, _ key: String) throws(ConfigError) -> String {
        guard case .string(let text) = entry.value else {
            throw invalid(entry, key, "must be a path in quotes, not \(entry.value.kindDescription)")
        }
        return try check(entry, key) { () throws(ConfigValueError) in
            try ConfigRules.path(text, relativeTo: directory, home: environment.variables["HOME"])
        }
    }

    private func socketMode(_ entry: TOMLEntry) throws(ConfigError) -> UInt32 {
        let key = "socket_mode"
        switch entry.value {
        case .string(let text):
            return try check(entry, key) { () throws(ConfigValueError) in try FileModeSyntax.parse(text) }
        case .integer(let value):
            let written = entry.literal ?? String(value)
            guard written.hasPrefix("0o") else {
                throw invalid(entry, key, "write the mode as a string \"0660\" or an octal integer 0o660; \(written) would be read as a decimal number")
            }
            guard value >= 0, value <= 0o7777 else { throw invalid(entry, key, "mode \(written) is out of range") }
            return try check(entry, key) { () throws(ConfigValueError) in try FileModeSyntax.check(UInt32(value), written: written) }
        default:
            throw invalid(entry, key, "must be an octal mode in quotes like \"0660\", not \(entry.value.kindDescription)")
        }
    }

    private func memoryBudget(_ entry: TOMLEntry) throws(ConfigError) -> Int {
        let key = "memory_budget"
        switch entry.value {
        case .string(let text):
            return try check(entry, key) { () throws(ConfigValueError) in
                try ConfigRules.memoryBudget(try ByteSize.parse(text), written: text.trimmingSpaces)
            }
        case .integer(let value):
            guard value >= 0 else { throw invalid(entry, key, "\(value) is negative; write a size like \"32GiB\"") }
            return try check(entry, key) { () throws(ConfigValueError) in try ConfigRules.memoryBudget(Int(value), written: String(value)) }
        default:
            throw invalid(entry, key, "must be a size like \"32GiB\" or a number of bytes, not \(entry.value.kindDescription)")
        }
    }

    private func timeout(_ entry: TOMLEntry, _ key: String) throws(ConfigError) -> Duration {
        let duration: Duration
        let written: String
        switch entry.value {
        case .string(let text):
            duration = try check(entry, key) { () throws(ConfigValueError) in try DurationSyntax.parse(text) }
            written = text.displayQuoted
        case .integer(let seconds):
            duration = try check(entry, key) { () throws(ConfigValueError) in try DurationSyntax.seconds(seconds) }
            written = "\(seconds) seconds"
        default:
            throw invalid(entry, key, "must be a duration like \"5s\" or \"250ms\", or a number of seconds, not \(entry.value.kindDescription)")
        }
        return try check(entry, key) { () throws(ConfigValueError) in try ConfigRules.timeout(duration, written: written) }
    }

    private func integer(_ entry: TOMLEntry, _ key: String, in range: ClosedRange<Int>, what: String) throws(ConfigError) -> Int {
        guard case .integer(let value) = entry.value else {
            throw invalid(entry, key, "must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(entry.value.kindDescription)")
        }
        return try check(entry, key) { () throws(ConfigValueError) in try ConfigRules.integer(value, in: range, what: what) }
    }

    private func table(_ entry: TOMLEntry, _ key: String, example: String) throws(ConfigError) -> TOMLTable {
        guard case .table(let table) = entry.value else {
            throw invalid(entry, key, "must be a table, not \(entry.value.kindDescription); write \(example)")
        }
        return table
    }

    /// A list of group (or user) names and numeric ids; a single one is accepted too.
    private func accounts(_ entry: TOMLEntry, _ key: String, groups: Bool) throws(ConfigError) -> [UInt32] {
        let kind = groups ? "gid" : "uid"
        let noun = groups ? "group" : "user"
        let elements: [TOMLValue]
        switch entry.value {
        case .array(let array): elements = array
        case .string, .integer: elements = [entry.value]
        default:
            throw invalid(entry, key, "must be a list of \(noun) names or \(kind)s like [\"\(groups ? "lorad" : "alice")\"], not \(entry.value.kindDescription)")
        }
        var ids: [UInt32] = []
        for element in elements {
            switch element {
            case .integer(let value):
                ids.append(try check(entry, key) { () throws(ConfigValueError) in try ConfigRules.accountID(value, kind: kind) })
            case .string(let name):
                ids.append(try account(named: name, entry, key, groups: groups))
            default:
                throw invalid(entry, key, "must list \(noun) names or \(kind)s, not \(element.kindDescription)")
            }
        }
        return ids
    }

    private func account(named name: String, _ entry: TOMLEntry, _ key: String, groups: Bool) throws(ConfigError) -> UInt32 {
        let noun = groups ? "group" : "user"
        if !name.isEmpty, name.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            guard let value = Int64(name) else { throw invalid(entry, key, "\(name) is not a valid \(groups ? "gid" : "uid")") }
            return try check(entry, key) { () throws(ConfigValueError) in try ConfigRules.accountID(value, kind: groups ? "gid" : "uid") }
        }
        guard !name.isEmpty, !name.utf8.contains(0) else {
            throw invalid(entry, key, "\(name.displayQuoted) is not a \(noun) name")
        }
        let found: UInt32?
        do {
            found = groups ? try environment.system.groupID(named: name) : try environment.system.userID(named: name)
        } catch {
            throw invalid(entry, key, "cannot look up \(noun) \(name.displayQuoted): \(error.message) (\(error.errnoName))")
        }
        guard let found else {
            let fix = groups ? "create it (groupadd, or a sysusers.d line)" : "create the user"
            throw invalid(entry, key, "unknown \(noun) \(name.displayQuoted); \(fix) or remove it from the list")
        }
        return found
    }

    // MARK: Helpers

    private func origin(_ entry: TOMLEntry) -> ConfigOrigin {
        .file(path: path, line: entry.position.line, column: entry.position.column)
    }

    private func sourced<Value>(_ entry: TOMLEntry, _ value: Value) -> Sourced<Value> {
        Sourced(value: value, origin: origin(entry))
    }

    private func invalid(_ entry: TOMLEntry, _ key: String, _ reason: String) -> ConfigError {
        .invalidValue(key: key, origin: origin(entry), reason: reason)
    }

    /// Runs a value check, turning its ``ConfigValueError`` into a ``ConfigError`` for `key`.
    private func check<Value>(_ entry: TOMLEntry, _ key: String, _ body: () throws(ConfigValueError) -> Value) throws(ConfigError) -> Value {
        do {
            return try body()
        } catch {
            throw invalid(entry, key, error.reason)
        }
    }

    private func unknown(_ entry: TOMLEntry, key: String, table: String?, known: [String]) -> ConfigError {
        let shown = known.map { ConfigFileDecoder.tableKeys.contains($0) && table == nil ? "[\($0)]" : $0 }
        return .unknownKey(
            key: key, table: table, origin: origin(entry), knownKeys: shown,
            suggestion: ConfigRules.suggestion(for: entry.key, among: known))
    }
}
