import Glibc
import LoradSystem
import Testing

@testable import LoradConfig

/// The loader with the real system lookups: NSS groups and users, real files.
@Suite struct ConfigLoaderSystemTests {
    @Test func loaderResolvesRealGroups() throws {
        let folder = try DurableFile.makeTemporaryDirectory(prefix: "lorad-config-tests-")
        defer { try? DurableFile.removeTree(folder) }
        let path = folder + "/lorad.toml"
        func write(_ text: String) throws {
            let file = try FileDescriptor.open(path, .writeOnly, options: [.create, .truncate])
            try file.write(Array(text.utf8))
            try file.close()
        }
        var environment = ProcessEnvironment.current(reading: ConfigLoader.variableNames)
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
}
