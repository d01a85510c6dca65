import LoradTOML

extension ConfigOverrides {
    /// The flags as a ``ConfigLayer``: values parsed and checked, paths made
    /// absolute against the working directory.
    /// - Throws: ``ConfigError/invalidValue(key:origin:reason:)`` naming the flag.
    func layer(in environment: ConfigEnvironment) throws(ConfigError) -> ConfigLayer {
        var layer = ConfigLayer()
        if let stateDirectory {
            layer.stateDirectory = try flag("--state-dir", key: "state_dir") { () throws(ConfigValueError) in try path(stateDirectory, environment) }
        }
        if let socketPath {
            layer.socketPath = try flag("--socket", key: "socket") { () throws(ConfigValueError) in try path(socketPath, environment) }
        }
        if let socketMode {
            layer.socketMode = try flag("--socket-mode", key: "socket_mode") { () throws(ConfigValueError) in try FileModeSyntax.parse(socketMode) }
        }
        if let memoryBudget {
            layer.memoryBudget = try flag("--memory-budget", key: "memory_budget") { () throws(ConfigValueError) in
                try ConfigRules.memoryBudget(try ByteSize.parse(memoryBudget), written: memoryBudget.trimmingSpaces)
            }
        }
        if let threads {
            layer.threads = try flag("--threads", key: "threads") { () throws(ConfigValueError) in try ConfigRules.threads(threads) }
        }
        var seen: Set<String> = []
        for argument in bases {
            let base = try flag("--base", key: "bases") { () throws(ConfigValueError) in try parseBase(argument, environment) }
            guard seen.insert(base.value.name).inserted else {
                throw ConfigError.invalidValue(
                    key: "bases", origin: .flag("--base"), reason: "base \(base.value.name.displayQuoted) is given twice; give each name once")
            }
            layer.bases.append(base)
        }
        return layer
    }

    private func path(_ text: String, _ environment: ConfigEnvironment) throws(ConfigValueError) -> String {
        try ConfigRules.path(text, relativeTo: environment.currentDirectory, home: environment.variables["HOME"])
    }

    /// `NAME=PATH`.
    private func parseBase(_ argument: String, _ environment: ConfigEnvironment) throws(ConfigValueError) -> ConfiguredBase {
        guard let equals = argument.firstIndex(of: "=") else {
            throw ConfigValueError("expected NAME=PATH, got \(argument.displayQuoted)")
        }
        let name = String(argument[..<equals])
        try ResourceName.validate(name, kind: "base")
        return ConfiguredBase(name: name, path: try path(String(argument[argument.index(after: equals)...]), environment))
    }

    private func flag<Value>(_ flag: String, key: String, _ body: () throws(ConfigValueError) -> Value) throws(ConfigError) -> Sourced<Value> {
        do {
            return Sourced(value: try body(), origin: .flag(flag))
        } catch {
            throw ConfigError.invalidValue(key: key, origin: .flag(flag), reason: error.reason)
        }
    }
}
