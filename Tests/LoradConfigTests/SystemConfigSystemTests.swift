import Glibc
import LoradSystem
import Testing

@testable import LoradConfig

/// The real lookups: NSS groups and users, stat and read.
@Suite struct SystemConfigSystemTests {
    let system = SystemConfigSystem()

    @Test func rootGroupAndUserExist() throws {
        #expect(try system.groupID(named: "root") == 0)
        #expect(try system.userID(named: "root") == 0)
    }

    @Test func unknownAccountsAreNil() throws {
        #expect(try system.groupID(named: "lorad-no-such-group-xq7") == nil)
        #expect(try system.userID(named: "lorad-no-such-user-xq7") == nil)
    }

    @Test func pathKinds() {
        #expect(system.pathKind(at: "/") == .directory)
        #expect(system.pathKind(at: "/dev/null") == .other)
        #expect(system.pathKind(at: "/proc/self/status") == .regularFile)
        #expect(system.pathKind(at: "/lorad-no-such-path/x") == .missing)
        #expect(system.pathKind(at: "/dev/null/x") == .missing)
    }

    @Test func readsAtMostTheLimit() throws {
        let folder = try DurableFile.makeTemporaryDirectory(prefix: "lorad-config-tests-")
        defer { try? DurableFile.removeTree(folder) }
        let path = folder + "/lorad.toml"
        let file = try FileDescriptor.open(path, .writeOnly, options: [.create, .truncate])
        try file.write(Array("threads = 2\n".utf8))
        try file.close()
        #expect(try system.readFile(at: path, maximumBytes: 100) == Array("threads = 2\n".utf8))
        #expect(try system.readFile(at: path, maximumBytes: 7) == Array("threads".utf8))
        #expect(throws: SystemError.self) { try system.readFile(at: folder, maximumBytes: 10) }
        #expect(throws: SystemError(errno: ENOENT, operation: "open", path: folder + "/none")) {
            try system.readFile(at: folder + "/none", maximumBytes: 10)
        }
    }

    @Test func loaderResolvesRealGroups() throws {
        let folder = try DurableFile.makeTemporaryDirectory(prefix: "lorad-config-tests-")
        defer { try? DurableFile.removeTree(folder) }
        let path = folder + "/lorad.toml"
        func write(_ text: String) throws {
            let file = try FileDescriptor.open(path, .writeOnly, options: [.create, .truncate])
            try file.write(Array(text.utf8))
            try file.close()
        }
        var environment = ConfigEnvironment.current()
        environment.variables = ["STATE_DIRECTORY": folder, "RUNTIME_DIRECTORY": folder]
        let loader = ConfigLoader(environment: environment)

        try write("[access]\nallow_groups = [\"root\"]\nadmin_uids = [\"root\"]\n[bases]\nhere = \".\"\n")
        let config = try loader.load(ConfigOverrides(configFile: path))
        #expect(config.access.allowedGIDs == [0])
        #expect(config.access.adminUIDs == [0])
        #expect(config.bases == [ConfiguredBase(name: "here", path: folder)])
        #expect(config.stateDirectory == folder)
        #expect(config.socketPath == folder + "/lorad.sock")

        try write("[access]\nallow_groups = [\"lorad-no-such-group-xq7\"]\n")
        #expect(throws: ConfigError.invalidValue(
            key: "access.allow_groups", origin: .file(path: path, line: 2, column: 1),
            reason: "unknown group \"lorad-no-such-group-xq7\"; create it (groupadd, or a sysusers.d line) or remove it from the list")
        ) { try loader.load(ConfigOverrides(configFile: path)) }
    }

    @Test func currentEnvironmentIsSane() {
        let environment = ConfigEnvironment.current()
        #expect(environment.physicalMemory > 0)
        #expect(environment.coreCount >= 1)
        #expect(environment.currentDirectory.hasPrefix("/"))
        #expect(environment.uid == UInt32(getuid()))
        #expect(Set(environment.variables.keys).isSubset(of: ConfigEnvironment.variableNames))
    }
}
