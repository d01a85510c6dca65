import LoradNotation
import LoradTOML

/// How a setting's value is written in the config file and, when it has a flag, on the
/// command line. Each reader throws a ``ConfigValueError`` that the caller wraps with the
/// key and where the value came from.
struct SettingSyntax<Value: Sendable>: Sendable {
    /// Reads a TOML value (`literal`: how an integer was written, `0o660`).
    let file: @Sendable (TOMLValue, _ literal: String?, ValueContext) throws(ConfigValueError) -> Value
    /// Reads a flag's text; nil when the setting has no flag.
    let flag: (@Sendable (String, ValueContext) throws(ConfigValueError) -> Value)?
}

extension SettingSyntax {
    /// A value written as a string (read by `parse`, as its flag is) or, when `integer` is
    /// given, as an integer (with the literal as written); other kinds get `expected, not <kind>`.
    static func text(
        expected: String, _ parse: @escaping @Sendable (String) throws(ConfigValueError) -> Value,
        integer: (@Sendable (Int64, String) throws(ConfigValueError) -> Value)? = nil
    ) -> SettingSyntax {
        SettingSyntax(
            file: { (value, literal, _) throws(ConfigValueError) in
                switch value {
                case .string(let text): return try parse(text)
                case .integer(let number): if let integer { return try integer(number, literal ?? String(number)) }
                case .float, .boolean, .array, .table: break
                }
                throw ConfigValueError("\(expected), not \(value.kindDescription)")
            },
            flag: { (text, _) throws(ConfigValueError) in try parse(text) })
    }
}

extension SettingSyntax where Value == String {
    /// A path in quotes; `~/` and relative paths resolved (see ``ConfigRules/path(_:relativeTo:home:)``).
    static let path = SettingSyntax(
        file: { (value, _, context) throws(ConfigValueError) in
            guard case .string(let text) = value else { throw ConfigValueError("must be a path in quotes, not \(value.kindDescription)") }
            return try context.path(text)
        },
        flag: { (text, context) throws(ConfigValueError) in try context.path(text) })
}

extension SettingSyntax where Value == UInt32 {
    /// An octal mode: `"0660"`, `"660"` or `0o660`; not a decimal-looking integer.
    static let mode = text(expected: "must be an octal mode in quotes like \"0660\"", FileModeSyntax.parse) { (number, written) throws(ConfigValueError) in
        guard written.hasPrefix("0o") else {
            throw ConfigValueError("write the mode as a string \"0660\" or an octal integer 0o660; \(written) would be read as a decimal number")
        }
        guard number >= 0, number <= 0o7777 else { throw ConfigValueError("mode \(written) is out of range") }
        return try FileModeSyntax.check(UInt32(number), written: written)
    }
}

extension SettingSyntax where Value == Int {
    /// A memory budget: a size string or a number of bytes, at least 1 MiB.
    static let memoryBudget = text(
        expected: "must be a size like \"32GiB\" or a number of bytes",
        { (text) throws(ConfigValueError) in try ConfigRules.memoryBudget(try ByteSize.parse(text), written: text.trimmingSpaces) },
        integer: { (number, _) throws(ConfigValueError) in
            guard number >= 0 else { throw ConfigValueError("\(number) is negative; write a size like \"32GiB\"") }
            return try ConfigRules.memoryBudget(Int(number), written: String(number))
        })

    /// A whole number in `range`; `what` names it in messages (the key when nil), `noun`
    /// says what a flag's text should have been (`a number of threads`; nil: no flag).
    static func integer(_ range: ClosedRange<Int>, what: String? = nil, noun: String? = nil) -> SettingSyntax {
        let usage = "a whole number from \(range.lowerBound) to \(range.upperBound)"
        let file: @Sendable (TOMLValue, String?, ValueContext) throws(ConfigValueError) -> Int = { (value, _, context) throws(ConfigValueError) in
            guard case .integer(let number) = value else { throw ConfigValueError("must be \(usage), not \(value.kindDescription)") }
            return try ConfigRules.integer(number, in: range, what: what ?? context.key)
        }
        guard let noun else { return SettingSyntax(file: file, flag: nil) }
        return SettingSyntax(file: file) { (text, context) throws(ConfigValueError) in
            guard let number = Int64(text.trimmingSpaces) else { throw ConfigValueError("\(text.displayQuoted) is not \(noun); write \(usage)") }
            return try ConfigRules.integer(number, in: range, what: what ?? context.key)
        }
    }
}

extension SettingSyntax where Value == Duration {
    /// A timeout: a duration string or a number of seconds, 1ms to 24h.
    static let timeout = text(
        expected: "must be a duration like \"5s\" or \"250ms\", or a number of seconds",
        { (text) throws(ConfigValueError) in try ConfigRules.timeout(try DurationSyntax.parse(text), written: text.displayQuoted) },
        integer: { (seconds, _) throws(ConfigValueError) in try ConfigRules.timeout(try DurationSyntax.seconds(seconds), written: "\(seconds) seconds") })
}

extension SettingSyntax where Value == [UInt32] {
    /// A list of group (or user) names and ids, sorted, without duplicates; a single entry
    /// may stand without brackets. Names are looked up in the system's databases.
    static func accounts(groups: Bool) -> SettingSyntax {
        SettingSyntax(
            file: { (value, _, context) throws(ConfigValueError) in
                let kind = groups ? "gid" : "uid"
                let noun = groups ? "group" : "user"
                let elements: [TOMLValue]
                switch value {
                case .array(let array): elements = array
                case .string, .integer: elements = [value]
                case .float, .boolean, .table:
                    throw ConfigValueError("must be a list of \(noun) names or \(kind)s like [\"\(groups ? "lorad" : "alice")\"], not \(value.kindDescription)")
                }
                var ids: Set<UInt32> = []
                for element in elements {
                    switch element {
                    case .integer(let id): ids.insert(try ConfigRules.accountID(id, kind: kind))
                    case .string(let name): ids.insert(try context.account(named: name, groups: groups))
                    case .float, .boolean, .array, .table: throw ConfigValueError("must list \(noun) names or \(kind)s, not \(element.kindDescription)")
                    }
                }
                return ids.sorted()
            },
            flag: nil)
    }
}

extension SettingSyntax where Value == UInt32? {
    /// One group: a name (looked up in the group database), a numeric string or an integer.
    static let group = SettingSyntax(
        file: { (value, _, context) throws(ConfigValueError) in
            switch value {
            case .integer(let id): return try ConfigRules.accountID(id, kind: "gid")
            case .string(let name): return try context.account(named: name, groups: true, inList: false)
            case .float, .boolean, .array, .table:
                throw ConfigValueError("must be one group name or gid like \"lorad\", not \(value.kindDescription)")
            }
        },
        flag: { (text, context) throws(ConfigValueError) in try context.account(named: text, groups: true, inList: false) })
}

extension ValueContext {
    func path(_ text: String) throws(ConfigValueError) -> String {
        try ConfigRules.path(text, relativeTo: directory, home: environment.variables["HOME"])
    }

    /// The id of a group or user given by name or as a numeric string; `inList` when the
    /// setting is a list (an unknown name's message says to remove it from the list).
    func account(named name: String, groups: Bool, inList: Bool = true) throws(ConfigValueError) -> UInt32 {
        let noun = groups ? "group" : "user"
        if !name.isEmpty, name.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            guard let value = Int64(name) else { throw ConfigValueError("\(name) is not a valid \(groups ? "gid" : "uid")") }
            return try ConfigRules.accountID(value, kind: groups ? "gid" : "uid")
        }
        guard !name.isEmpty, !name.utf8.contains(0) else { throw ConfigValueError("\(name.displayQuoted) is not a \(noun) name") }
        let found: UInt32?
        do {
            found = groups ? try environment.system.groupID(named: name) : try environment.system.userID(named: name)
        } catch {
            throw ConfigValueError("cannot look up \(noun) \(name.displayQuoted): \(error.message) (\(error.errnoName))")
        }
        guard let found else {
            let fix = groups ? "create it (groupadd, or a sysusers.d line)" : "create the user"
            throw ConfigValueError("unknown \(noun) \(name.displayQuoted); \(fix) or \(inList ? "remove it from the list" : "name another")")
        }
        return found
    }
}
