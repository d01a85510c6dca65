import Glibc
import LoradSystem
import LoradTOML
import Testing

@testable import LoradConfig

@Suite struct ConfigErrorTests {
    @Test func originsDescribeThemselves() {
        #expect(ConfigOrigin.builtInDefault.description == "built-in default")
        #expect(ConfigOrigin.environment("STATE_DIRECTORY").description == "$STATE_DIRECTORY")
        #expect(ConfigOrigin.file(path: "lorad.toml", line: 3, column: 7).description == "lorad.toml:3:7")
        #expect(ConfigOrigin.flag("--socket").description == "--socket")
    }

    @Test func invalidValuePerOrigin() {
        #expect(ConfigError.invalidValue(key: "threads", origin: .file(path: "l.toml", line: 2, column: 1), reason: "r").description == "l.toml:2:1: threads: r")
        #expect(ConfigError.invalidValue(key: "threads", origin: .flag("--threads"), reason: "r").description == "--threads: r")
        #expect(ConfigError.invalidValue(key: "socket", origin: .environment("RUNTIME_DIRECTORY"), reason: "r").description == "socket (from $RUNTIME_DIRECTORY): r")
        #expect(ConfigError.invalidValue(key: "socket", origin: .builtInDefault, reason: "r").description == "socket: r")
    }

    @Test func exitCodeIsEXConfig() {
        #expect(ConfigError.exitCode == 78)
    }

    @Test func syntaxErrorsPassThrough() {
        let error = TOMLError(fileName: "lorad.toml", position: TOMLPosition(line: 7, column: 12), message: "expected '=' after key \"memory_budget\"")
        #expect(ConfigError.syntax(error).description == "lorad.toml:7:12: expected '=' after key \"memory_budget\"")
        #expect(ConfigError.unreadableFile(path: "/x", error: SystemError(errno: EISDIR, operation: "read")).description
            == "cannot read config file /x: Is a directory (EISDIR)")
    }
}
