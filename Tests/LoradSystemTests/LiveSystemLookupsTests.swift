import Glibc
import LoradSystem
import Testing

/// The real lookups: NSS groups and users, stat and read; the real process environment.
@Suite struct LiveSystemLookupsTests {
    let system = LiveSystemLookups()

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
        let folder = try DurableFile.makeTemporaryDirectory(prefix: "lorad-system-tests-")
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

    @Test func currentEnvironmentIsSane() {
        let names = ["STATE_DIRECTORY", "RUNTIME_DIRECTORY", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "HOME"]
        let environment = ProcessEnvironment.current(reading: names)
        #expect(environment.physicalMemory > 0)
        #expect(environment.coreCount >= 1)
        #expect(environment.currentDirectory.hasPrefix("/"))
        #expect(environment.uid == UInt32(getuid()))
        #expect(Set(environment.variables.keys).isSubset(of: names))
        #expect(environment.variables["HOME"] == getenv("HOME").map { String(cString: $0) })
    }
}
