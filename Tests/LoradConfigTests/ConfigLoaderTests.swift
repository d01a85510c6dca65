import Glibc
import LoradNotation
import LoradSystem
import LoradTestSupport
import Testing

@testable import LoradConfig

/// Defaults per uid and environment, and the defaults <- file <- flags order.
@Suite struct ConfigLoaderTests {
    static let base = "/models/CogVideoX-5b/transformer"
    /// What systemd sets for a unit with StateDirectory=lorad and RuntimeDirectory=lorad.
    static let systemd = ["STATE_DIRECTORY": "/var/lib/lorad", "RUNTIME_DIRECTORY": "/run/lorad"]

    /// Loads `file` (as /etc/lorad/lorad.toml, if given) with `flags`.
    static func load(
        _ file: String? = nil, flags: ConfigOverrides = ConfigOverrides(), uid: UInt32 = 0,
        variables: [String: String] = [:], system: FakeSystemLookups = FakeSystemLookups()
    ) throws(ConfigError) -> DaemonConfig {
        var system = system
        var flags = flags
        if let file {
            system.files["/etc/lorad/lorad.toml"] = file
            flags.configFile = flags.configFile ?? "/etc/lorad/lorad.toml"
        }
        for path in [base, "/models/a.safetensors", "/models/b", "/etc/lorad/models/c.safetensors", "/home/alice/work/d.safetensors", "/home/alice/e"]
        where system.kinds[path] == nil {
            system.kinds[path] = path.hasSuffix(".safetensors") ? .regularFile : .directory
        }
        return try ConfigLoader(environment: .fake(uid: uid, variables: variables, system: system)).load(flags)
    }

    /// The message of the error loading gives.
    static func failure(
        _ file: String? = nil, flags: ConfigOverrides = ConfigOverrides(), uid: UInt32 = 0,
        variables: [String: String] = [:], system: FakeSystemLookups = FakeSystemLookups()
    ) -> String {
        do {
            let config = try load(file, flags: flags, uid: uid, variables: variables, system: system)
            return "no error: \(config.summary)"
        } catch {
            return error.description
        }
    }

    // MARK: Defaults

    @Test func rootDefaults() throws {
        let config = try ConfigLoaderTests.load()
        #expect(config.configFile == nil)
        #expect(config.bases.isEmpty)
        #expect(config.stateDirectory == "/var/lib/lorad")
        #expect(config.socketPath == "/run/lorad/lorad.sock")
        #expect(config.socketMode == 0o660)
        #expect(config.memoryBudget == 8 * ByteSize.gibibyte)
        #expect(config.threads == 8)
        #expect(config.access == AccessPolicy(daemonUID: 0))
        #expect(config.limits == ConnectionLimits.defaults)
        #expect(config.limits.handshakeTimeout == .seconds(5) && config.limits.partialFrameTimeout == .seconds(30))
        #expect(config.limits.sessionsPerUID == 256 && config.limits.requestsInFlightPerConnection == 64)
        for key in ["state_dir", "socket", "socket_mode", "memory_budget", "threads", "limits.handshake_timeout", "access.allow_groups"] {
            #expect(config.origins[key] == .builtInDefault, "\(key)")
        }
    }

    @Test func userDefaultsFollowXDG() throws {
        let variables = ["HOME": "/home/alice", "XDG_STATE_HOME": "/home/alice/.state", "XDG_RUNTIME_DIR": "/run/user/1000"]
        let config = try ConfigLoaderTests.load(uid: 1000, variables: variables)
        #expect(config.stateDirectory == "/home/alice/.state/lorad")
        #expect(config.socketPath == "/run/user/1000/lorad.sock")
        #expect(config.origins["state_dir"] == .environment("XDG_STATE_HOME"))
        #expect(config.origins["socket"] == .environment("XDG_RUNTIME_DIR"))
        #expect(config.access.daemonUID == 1000)
    }

    @Test func userStateDefaultsToHome() throws {
        let variables = ["HOME": "/home/alice/", "XDG_STATE_HOME": "relative/ignored", "XDG_RUNTIME_DIR": "/run/user/1000"]
        let config = try ConfigLoaderTests.load(uid: 1000, variables: variables)
        #expect(config.stateDirectory == "/home/alice/.local/state/lorad")
        #expect(config.origins["state_dir"] == .environment("HOME"))
    }

    @Test func rootIgnoresXDG() throws {
        let config = try ConfigLoaderTests.load(uid: 0, variables: ["HOME": "/root", "XDG_RUNTIME_DIR": "/run/user/0"])
        #expect(config.stateDirectory == "/var/lib/lorad")
        #expect(config.socketPath == "/run/lorad/lorad.sock")
    }

    @Test func systemdDirectoriesWinAndTakeTheFirstPath() throws {
        let variables = ["STATE_DIRECTORY": "/var/lib/lorad-x:/var/lib/other", "RUNTIME_DIRECTORY": "/run/lorad-x:/run/other", "XDG_RUNTIME_DIR": "/run/user/1"]
        for uid: UInt32 in [0, 1000] {
            let config = try ConfigLoaderTests.load(uid: uid, variables: variables)
            #expect(config.stateDirectory == "/var/lib/lorad-x")
            #expect(config.socketPath == "/run/lorad-x/lorad.sock")
            #expect(config.origins["state_dir"] == .environment("STATE_DIRECTORY"))
            #expect(config.origins["socket"] == .environment("RUNTIME_DIRECTORY"))
        }
    }

    @Test func missingDefaultsAreClearErrors() {
        #expect(ConfigLoaderTests.failure(uid: 1000, variables: ["XDG_RUNTIME_DIR": "/run/user/1000"])
            == "state_dir: no state folder: neither STATE_DIRECTORY, XDG_STATE_HOME nor HOME is set; pass --state-dir DIR or set state_dir in the config")
        #expect(ConfigLoaderTests.failure(uid: 1000, variables: ["HOME": "/home/alice"])
            == "socket: no socket path: XDG_RUNTIME_DIR is not set (and lorad is not root); pass --socket PATH or set socket in the config")
        #expect(ConfigLoaderTests.failure(variables: ["STATE_DIRECTORY": "lorad"])
            == "state_dir (from $STATE_DIRECTORY): \"lorad\" is not an absolute path")
        // A flag or the file makes the missing default irrelevant.
        #expect((try? ConfigLoaderTests.load(flags: ConfigOverrides(values: ["--state-dir": "/s", "--socket": "/t.sock"]), uid: 1000)) != nil)
        #expect((try? ConfigLoaderTests.load("state_dir = \"/s\"\nsocket = \"/t.sock\"", uid: 1000)) != nil)
    }

    @Test func memoryAndCoresFromTheEnvironment() throws {
        var environment = ProcessEnvironment.fake()
        environment.physicalMemory = 3 * ByteSize.gibibyte + 1
        environment.coreCount = 0
        let config = try ConfigLoader(environment: environment).load(ConfigOverrides())
        #expect(config.memoryBudget == 3 * ByteSize.gibibyte / 2)
        #expect(config.threads == 1)
        environment.physicalMemory = 0
        #expect(throws: ConfigError.missingSetting(
            key: "memory_budget", reason: "cannot tell how much memory this machine has; set memory_budget in the config or pass --memory-budget SIZE")
        ) { try ConfigLoader(environment: environment).load(ConfigOverrides()) }
    }

    // MARK: The file

    @Test func issueExampleFile() throws {
        let file = ConfigFixtures.issueExample
        let config = try ConfigLoaderTests.load(file, uid: 998, variables: ["RUNTIME_DIRECTORY": "/run/lorad"])
        #expect(config.configFile == "/etc/lorad/lorad.toml")
        #expect(config.stateDirectory == "/var/lib/lorad")
        #expect(config.memoryBudget == 32 * ByteSize.gibibyte)
        #expect(config.bases == [ConfiguredBase(name: "cogvideox-5b", path: ConfigLoaderTests.base)])
        #expect(config.access == AccessPolicy(daemonUID: 998, allowedGIDs: [990], adminGIDs: [991]))
        #expect(config.limits == ConnectionLimits.defaults)
        #expect(config.origins["memory_budget"] == .file(path: "/etc/lorad/lorad.toml", line: 2, column: 1))
        #expect(config.origins["bases.cogvideox-5b"] == .file(path: "/etc/lorad/lorad.toml", line: 4, column: 1))
        #expect(config.origins["limits.partial_frame_timeout"] == .file(path: "/etc/lorad/lorad.toml", line: 13, column: 1))
        #expect(config.origins["threads"] == .builtInDefault)
    }

    @Test func everyTopLevelKey() throws {
        let file = """
            state_dir = "state"
            socket = "~/lorad.sock"
            socket_mode = 0o600
            memory_budget = 1073741824
            threads = 3
            [limits]
            sessions_per_uid = 1
            requests_in_flight_per_connection = 4096
            handshake_timeout = 2
            partial_frame_timeout = "1m30s"
            max_connections = 100
            connections_per_uid = 3
            reserved_connections = 0
            output_stall_timeout = "250ms"
            workers_per_uid = 3
            """
        let config = try ConfigLoaderTests.load(file, variables: ["HOME": "/root"])
        #expect(config.stateDirectory == "/etc/lorad/state")
        #expect(config.socketPath == "/root/lorad.sock")
        #expect(config.socketMode == 0o600)
        #expect(config.memoryBudget == ByteSize.gibibyte)
        #expect(config.threads == 3)
        #expect(config.limits == ConnectionLimits(
            sessionsPerUID: 1, requestsInFlightPerConnection: 4096, handshakeTimeout: .seconds(2), partialFrameTimeout: .seconds(90),
            maxConnections: 100, connectionsPerUID: 3, reservedConnections: 0,
            outputStallTimeout: .milliseconds(250), workersPerUID: 3))
    }

    @Test func socketModeForms() throws {
        #expect(try ConfigLoaderTests.load("socket_mode = \"0640\"").socketMode == 0o640)
        #expect(try ConfigLoaderTests.load("socket_mode = \"660\"").socketMode == 0o660)
        #expect(try ConfigLoaderTests.load("socket_mode = 0o666").socketMode == 0o666)
        #expect(ConfigLoaderTests.failure("socket_mode = 660")
            == "/etc/lorad/lorad.toml:1:1: socket_mode: write the mode as a string \"0660\" or an octal integer 0o660; 660 would be read as a decimal number")
        #expect(ConfigLoaderTests.failure("socket_mode = 0o1777")
            == "/etc/lorad/lorad.toml:1:1: socket_mode: mode 0o1777 has bits above 0777; only read/write/execute bits apply to a socket (for example 0660)")
        #expect(ConfigLoaderTests.failure("socket_mode = true")
            == "/etc/lorad/lorad.toml:1:1: socket_mode: must be an octal mode in quotes like \"0660\", not a boolean")
    }

    @Test func socketGroupForms() throws {
        #expect(try ConfigLoaderTests.load().socketGroup == nil)
        #expect(try ConfigLoaderTests.load("socket_group = \"lorad\"").socketGroup == 990)
        #expect(try ConfigLoaderTests.load("socket_group = \"4242\"").socketGroup == 4242)
        #expect(try ConfigLoaderTests.load("socket_group = 0").socketGroup == 0)
        let flagged = try ConfigLoaderTests.load(
            "socket_group = \"lorad\"", flags: ConfigOverrides(values: ["--socket-group": "lorad-admin"]))
        #expect(flagged.socketGroup == 991)
        #expect(flagged.origins["socket_group"] == .flag("--socket-group"))
        #expect(try ConfigLoaderTests.load(flags: ConfigOverrides(values: ["--socket-group": "55"])).socketGroup == 55)
        let path = "/etc/lorad/lorad.toml"
        #expect(ConfigLoaderTests.failure("socket_group = \"nosuch\"")
            == "\(path):1:1: socket_group: unknown group \"nosuch\"; create it (groupadd, or a sysusers.d line) or name another")
        #expect(ConfigLoaderTests.failure("socket_group = [\"lorad\"]")
            == "\(path):1:1: socket_group: must be one group name or gid like \"lorad\", not an array")
        #expect(ConfigLoaderTests.failure("socket_group = -1") == "\(path):1:1: socket_group: -1 is not a valid gid (0 to 4294967294)")
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(values: ["--socket-group": "nosuch"])).contains("--socket-group"))
    }

    @Test func relativePathsInTheFileAreFromItsFolder() throws {
        let config = try ConfigLoaderTests.load("[bases]\nc = \"models/c.safetensors\"\nabs = \"/models/b\"\n", flags: ConfigOverrides(configFile: "/etc/lorad/lorad.toml"))
        #expect(config.bases == [ConfiguredBase(name: "c", path: "/etc/lorad/models/c.safetensors"), ConfiguredBase(name: "abs", path: "/models/b")])
    }

    @Test func relativeConfigFileIsFromTheWorkingDirectory() throws {
        var system = FakeSystemLookups()
        system.files["conf/lorad.toml"] = "state_dir = \"../state\""
        let config = try ConfigLoader(environment: .fake(system: system)).load(ConfigOverrides(configFile: "conf/lorad.toml"))
        #expect(config.stateDirectory == "/home/alice/work/conf/../state")
        #expect(config.origins["state_dir"] == .file(path: "conf/lorad.toml", line: 1, column: 1))
    }

    // MARK: Precedence

    @Test func flagsOverrideFileOverrideDefaults() throws {
        let file = """
            state_dir = "/file/state"
            socket = "/file/lorad.sock"
            socket_mode = "0600"
            memory_budget = "4GiB"
            threads = 2
            """
        let fileOnly = try ConfigLoaderTests.load(file)
        #expect(fileOnly.stateDirectory == "/file/state")
        #expect(fileOnly.socketPath == "/file/lorad.sock")
        #expect(fileOnly.socketMode == 0o600)
        #expect(fileOnly.memoryBudget == 4 * ByteSize.gibibyte)
        #expect(fileOnly.threads == 2)

        let flags = ConfigOverrides(values: [
            "--state-dir": "flag/state", "--socket": "/flag/lorad.sock", "--memory-budget": "512M", "--socket-mode": "0666", "--threads": "6",
        ])
        let both = try ConfigLoaderTests.load(file, flags: flags)
        #expect(both.stateDirectory == "/home/alice/work/flag/state")
        #expect(both.socketPath == "/flag/lorad.sock")
        #expect(both.socketMode == 0o666)
        #expect(both.memoryBudget == 512 * ByteSize.mebibyte)
        #expect(both.threads == 6)
        #expect(both.origins["state_dir"] == .flag("--state-dir"))
        #expect(both.origins["socket"] == .flag("--socket"))
        #expect(both.origins["socket_mode"] == .flag("--socket-mode"))
        #expect(both.origins["memory_budget"] == .flag("--memory-budget"))
        #expect(both.origins["threads"] == .flag("--threads"))

        let someFlags = try ConfigLoaderTests.load(file, flags: ConfigOverrides(values: ["--threads": "1"]))
        #expect(someFlags.threads == 1)
        #expect(someFlags.memoryBudget == 4 * ByteSize.gibibyte)
        #expect(someFlags.origins["memory_budget"] == .file(path: "/etc/lorad/lorad.toml", line: 4, column: 1))
    }

    @Test func baseFlagsAddAndWin() throws {
        let file = "[bases]\na = \"/models/a.safetensors\"\nb = \"/models/b\"\n"
        let flags = ConfigOverrides(bases: ["c=/etc/lorad/models/c.safetensors", "a=d.safetensors", "e=~/e"])
        let config = try ConfigLoaderTests.load(file, flags: flags, variables: ["HOME": "/home/alice"])
        #expect(config.bases == [
            ConfiguredBase(name: "a", path: "/home/alice/work/d.safetensors"),
            ConfiguredBase(name: "b", path: "/models/b"),
            ConfiguredBase(name: "c", path: "/etc/lorad/models/c.safetensors"),
            ConfiguredBase(name: "e", path: "/home/alice/e"),
        ])
        #expect(config.origins["bases.a"] == .flag("--base"))
        #expect(config.origins["bases.b"] == .file(path: "/etc/lorad/lorad.toml", line: 3, column: 1))
        #expect(config.base(named: "b")?.path == "/models/b")
        #expect(config.base(named: "zzz") == nil)
    }

    // MARK: Flag errors

    @Test func badFlags() {
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(bases: ["nameonly"])) == "--base: expected NAME=PATH, got \"nameonly\"")
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(bases: ["a b=/models/b"]))
            == "--base: base name \"a b\" is not valid: use 1 to 128 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit")
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(bases: ["a=/models/b", "a=/models/a.safetensors"]))
            == "--base: base \"a\" is given twice; give each name once")
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(bases: ["a="])) == "--base: a path cannot be empty")
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(bases: ["x=/nowhere"]))
            == "--base: /nowhere does not exist; point it at a .safetensors file or a diffusers folder")
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(values: ["--memory-budget": "lots"])).hasPrefix("--memory-budget: \"lots\" is not a size; write"))
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(values: ["--memory-budget": "32"]))
            == "--memory-budget: 32 is too small for a memory budget (at least 1MiB); did you forget the unit, as in \"32GiB\"?")
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(values: ["--memory-budget": "512K"])) == "--memory-budget: 512K is too small for a memory budget (at least 1MiB)")
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(values: ["--memory-budget": "0"])) == "--memory-budget: 0 is too small for a memory budget (at least 1MiB)")
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(values: ["--socket-mode": "rw"])) == "--socket-mode: \"rw\" is not an octal mode; write it like \"0660\"")
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(values: ["--threads": "many"])) == "--threads: \"many\" is not a number of threads; write a whole number from 1 to 1024")
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(values: ["--threads": "0"])) == "--threads: 0 is out of range; the number of threads must be between 1 and 1024")
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(values: ["--state-dir": "~bob/x"])) == "--state-dir: ~user paths are not supported (\"~bob/x\"); write the full path")
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(values: ["--state-dir": "~/x"])) == "--state-dir: cannot expand ~ in \"~/x\": HOME is not set; write the full path")
        let long = "/" + String(repeating: "s", count: 107)
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(values: ["--socket": long]))
            == "--socket: socket path \"\(long.prefix(80))…\" is 108 bytes; a Unix socket path can be at most 107 bytes, so choose a shorter one")
        #expect((try? ConfigLoaderTests.load(flags: ConfigOverrides(values: ["--socket": String(long.dropLast())]))) != nil)
    }

    // MARK: File errors

    @Test func unknownKeys() {
        #expect(ConfigLoaderTests.failure("state_dir = \"/s\"\nmemory_budgett = \"32GiB\"")
            == "unknown key 'memory_budgett' in /etc/lorad/lorad.toml:2 (did you mean 'memory_budget'?); known keys are state_dir, socket, socket_mode, socket_group, memory_budget, threads, [bases], [access], [limits]")
        #expect(ConfigLoaderTests.failure("colour = 1")
            == "unknown key 'colour' in /etc/lorad/lorad.toml:1; known keys are state_dir, socket, socket_mode, socket_group, memory_budget, threads, [bases], [access], [limits]")
        #expect(ConfigLoaderTests.failure("[acess]\nallow_groups = []")
            == "unknown key 'acess' in /etc/lorad/lorad.toml:1 (did you mean 'access'?); known keys are state_dir, socket, socket_mode, socket_group, memory_budget, threads, [bases], [access], [limits]")
        #expect(ConfigLoaderTests.failure("[access]\nallow_group = [\"lorad\"]")
            == "unknown key 'access.allow_group' in /etc/lorad/lorad.toml:2 (did you mean 'allow_groups'?); known keys in [access] are allow_groups, allow_uids, admin_groups, admin_uids")
        #expect(ConfigLoaderTests.failure("[limits]\nhandshake = \"5s\"")
            == "unknown key 'limits.handshake' in /etc/lorad/lorad.toml:2; known keys in [limits] are sessions_per_uid, requests_in_flight_per_connection, handshake_timeout, partial_frame_timeout, max_connections, connections_per_uid, reserved_connections, output_stall_timeout, workers_per_uid")
        #expect(ConfigLoaderTests.failure("[limits]\n\"a\\nb\" = 1").hasPrefix("unknown key 'limits.\"a\\nb\"' in /etc/lorad/lorad.toml:2;"))
    }

    @Test func wrongTypesAndRanges() {
        let path = "/etc/lorad/lorad.toml"
        let cases: [(String, String)] = [
            ("state_dir = 5", "\(path):1:1: state_dir: must be a path in quotes, not an integer"),
            ("state_dir = \"\"", "\(path):1:1: state_dir: a path cannot be empty"),
            ("state_dir = \"a\\u0000b\"", "\(path):1:1: state_dir: path \"a\\u{0}b\" contains a NUL character"),
            ("memory_budget = true", "\(path):1:1: memory_budget: must be a size like \"32GiB\" or a number of bytes, not a boolean"),
            ("memory_budget = 32", "\(path):1:1: memory_budget: 32 is too small for a memory budget (at least 1MiB); did you forget the unit, as in \"32GiB\"?"),
            ("memory_budget = -5", "\(path):1:1: memory_budget: -5 is negative; write a size like \"32GiB\""),
            ("memory_budget = \"32 GX\"", "\(path):1:1: memory_budget: \"32 GX\" has an unknown unit; write a number of bytes (1073741824) or a number with a unit: K, M, G, T (powers of 1024, also written KiB, MiB, GiB, TiB) or KB, MB, GB, TB (powers of 1000)"),
            ("threads = \"4\"", "\(path):1:1: threads: must be a whole number from 1 to 1024, not a string"),
            ("threads = 2000", "\(path):1:1: threads: 2000 is out of range; the number of threads must be between 1 and 1024"),
            ("bases = \"x\"", "\(path):1:1: bases: must be a table, not a string; write [bases] with lines like cogvideox-5b = \"/models/CogVideoX-5b/transformer\""),
            ("[bases]\n\"-x\" = \"/models/b\"", "\(path):2:1: bases.-x: base name \"-x\" is not valid: use 1 to 128 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit"),
            ("[bases]\ncogvideox.5b = \"/models/b\"", "\(path):2:1: bases.cogvideox: must be the path of a .safetensors file or diffusers folder, in quotes, not a table (quote a name that contains dots: \"cogvideox.x\" = \"...\")"),
            ("[bases]\nx = 1", "\(path):2:1: bases.x: must be a path in quotes, not an integer"),
            ("[bases]\nx = \"/nowhere\"", "\(path):2:1: bases.x: /nowhere does not exist; point it at a .safetensors file or a diffusers folder"),
            ("[limits]\nsessions_per_uid = 0", "\(path):2:1: limits.sessions_per_uid: 0 is out of range; limits.sessions_per_uid must be between 1 and 65536"),
            ("[limits]\nrequests_in_flight_per_connection = 5000", "\(path):2:1: limits.requests_in_flight_per_connection: 5000 is out of range; limits.requests_in_flight_per_connection must be between 1 and 4096"),
            ("[limits]\nmax_connections = 0", "\(path):2:1: limits.max_connections: 0 is out of range; limits.max_connections must be between 1 and 65536"),
            ("[limits]\nconnections_per_uid = 70000", "\(path):2:1: limits.connections_per_uid: 70000 is out of range; limits.connections_per_uid must be between 1 and 65536"),
            ("[limits]\nreserved_connections = -1", "\(path):2:1: limits.reserved_connections: -1 is out of range; limits.reserved_connections must be between 0 and 1024"),
            ("[limits]\nhandshake_timeout = \"0s\"", "\(path):2:1: limits.handshake_timeout: \"0s\" is out of range; a timeout must be between 1ms and 24h"),
            ("[limits]\nhandshake_timeout = 90000", "\(path):2:1: limits.handshake_timeout: 90000 seconds is out of range; a timeout must be between 1ms and 24h"),
            ("[limits]\nhandshake_timeout = 1.5", "\(path):2:1: limits.handshake_timeout: must be a duration like \"5s\" or \"250ms\", or a number of seconds, not a float"),
            ("[limits]\npartial_frame_timeout = \"soon\"", "\(path):2:1: limits.partial_frame_timeout: \"soon\" is not a duration; write a number with a unit: ms, s, m or h (\"250ms\", \"5s\", \"1m30s\"), or a number of seconds"),
            ("[limits]\nworkers_per_uid = 1025", "\(path):2:1: limits.workers_per_uid: 1025 is out of range; limits.workers_per_uid must be between 0 and 1024"),
            ("[limits]\noutput_stall_timeout = \"0ms\"", "\(path):2:1: limits.output_stall_timeout: \"0ms\" is out of range; a timeout must be between 1ms and 24h"),
            ("access = 1", "\(path):1:1: access: must be a table, not an integer; write [access] with allow_groups = [\"lorad\"]"),
            ("limits = []", "\(path):1:1: limits: must be a table, not an array; write [limits] with sessions_per_uid = 256"),
        ]
        for (file, message) in cases {
            #expect(ConfigLoaderTests.failure(file) == message, "\(file)")
        }
    }

    @Test func fileProblems() {
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(configFile: "/etc/lorad/missing.toml"))
            == "config file /etc/lorad/missing.toml does not exist")
        #expect(ConfigLoaderTests.failure("memory_budget 32") == "/etc/lorad/lorad.toml:1:15: expected '=' after key \"memory_budget\", found '3'")
        let big = String(repeating: "#", count: ConfigLoader.maximumFileSize + 1)
        #expect(ConfigLoaderTests.failure(big) == "config file /etc/lorad/lorad.toml is larger than 1MiB; a lorad config is a few KiB, so check the path")
        #expect(ConfigError.unreadableFile(path: "/x", error: SystemError(errno: EACCES, operation: "open", path: "/x")).description
            == "cannot read config file /x: Permission denied (EACCES)")
    }

    @Test func basePathKinds() {
        var system = FakeSystemLookups()
        system.kinds["/dev/null"] = .other
        system.kinds["/secret"] = .inaccessible(SystemError(errno: EACCES, operation: "stat", path: "/secret"))
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(bases: ["a=/dev/null"]), system: system)
            == "--base: /dev/null is neither a file nor a folder")
        #expect(ConfigLoaderTests.failure(flags: ConfigOverrides(bases: ["a=/secret"]), system: system)
            == "--base: cannot access /secret: Permission denied (EACCES)")
    }

    // MARK: Access

    @Test func accountsResolve() throws {
        let file = """
            [access]
            allow_groups = ["lorad", "1234", 55, "lorad"]
            allow_uids = ["alice", 1001, "0"]
            admin_groups = "lorad-admin"
            admin_uids = 4242
            """
        let config = try ConfigLoaderTests.load(file, uid: 990, variables: ConfigLoaderTests.systemd)
        #expect(config.access == AccessPolicy(daemonUID: 990, allowedUIDs: [0, 1000, 1001], allowedGIDs: [55, 990, 1234], adminUIDs: [4242], adminGIDs: [991]))
        #expect(config.access.allowedGIDs == [55, 990, 1234])
        #expect(config.origins["access.allow_uids"] == .file(path: "/etc/lorad/lorad.toml", line: 3, column: 1))
    }

    @Test func accountErrors() {
        var broken = FakeSystemLookups()
        broken.brokenGroup = "ldap"
        let path = "/etc/lorad/lorad.toml"
        #expect(ConfigLoaderTests.failure("[access]\nallow_groups = [\"nosuch\"]")
            == "\(path):2:1: access.allow_groups: unknown group \"nosuch\"; create it (groupadd, or a sysusers.d line) or remove it from the list")
        #expect(ConfigLoaderTests.failure("[access]\nadmin_uids = [\"bob\"]")
            == "\(path):2:1: access.admin_uids: unknown user \"bob\"; create the user or remove it from the list")
        #expect(ConfigLoaderTests.failure("[access]\nallow_groups = [\"ldap\"]", system: broken)
            == "\(path):2:1: access.allow_groups: cannot look up group \"ldap\": Input/output error (EIO)")
        #expect(ConfigLoaderTests.failure("[access]\nallow_uids = [-1]") == "\(path):2:1: access.allow_uids: -1 is not a valid uid (0 to 4294967294)")
        #expect(ConfigLoaderTests.failure("[access]\nallow_uids = [4294967295]") == "\(path):2:1: access.allow_uids: 4294967295 is not a valid uid (0 to 4294967294)")
        #expect(ConfigLoaderTests.failure("[access]\nallow_groups = [\"99999999999999999999\"]") == "\(path):2:1: access.allow_groups: 99999999999999999999 is not a valid gid")
        #expect(ConfigLoaderTests.failure("[access]\nallow_groups = [\"\"]") == "\(path):2:1: access.allow_groups: \"\" is not a group name")
        #expect(ConfigLoaderTests.failure("[access]\nallow_groups = [true]") == "\(path):2:1: access.allow_groups: must list group names or gids, not a boolean")
        #expect(ConfigLoaderTests.failure("[access]\nallow_groups = {a = 1}")
            == "\(path):2:1: access.allow_groups: must be a list of group names or gids like [\"lorad\"], not a table")
    }

    // MARK: Summary

    @Test func summaryLine() throws {
        let file = """
            memory_budget = "32GiB"
            threads = 2
            [bases]
            cogvideox-5b = "/models/CogVideoX-5b/transformer"
            [access]
            allow_groups = ["lorad"]
            admin_groups = ["lorad-admin"]
            """
        let config = try ConfigLoaderTests.load(file, uid: 998, variables: ConfigLoaderTests.systemd)
        #expect(config.summary
            == "config OK from /etc/lorad/lorad.toml: 1 base (cogvideox-5b); state /var/lib/lorad; socket /run/lorad/lorad.sock (mode 0660); memory budget 32GiB; 2 threads; access: root, uid 998, 0 users, 1 group; admin: root, uid 998, 0 users, 1 group")
        #expect(try ConfigLoaderTests.load("socket_group = \"lorad\"").summary.contains("socket /run/lorad/lorad.sock (mode 0660, group 990);"))
        let plain = try ConfigLoaderTests.load()
        #expect(plain.summary
            == "config OK: no bases; state /var/lib/lorad; socket /run/lorad/lorad.sock (mode 0660); memory budget 8GiB; 8 threads; access: root, 0 users, 0 groups; admin: root, 0 users, 0 groups")
    }
}
