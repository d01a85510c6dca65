import Testing
@testable import LoradClient

@Suite struct LoradSocketPathTests {
    @Test func theEnvironmentVariableWins() {
        let paths = LoradSocketPath.candidates(
            environment: ["LORAD_SOCKET": "/tmp/x.sock", "XDG_RUNTIME_DIR": "/run/user/1000"], uid: 1000)
        #expect(paths == ["/tmp/x.sock"])
    }

    @Test func rootUsesTheSystemSocket() {
        #expect(LoradSocketPath.candidates(environment: ["XDG_RUNTIME_DIR": "/run/user/0"], uid: 0) == ["/run/lorad/lorad.sock"])
    }

    @Test func usersTryTheirRuntimeFolderThenTheSystemSocket() {
        let paths = LoradSocketPath.candidates(environment: ["XDG_RUNTIME_DIR": "/run/user/1000/"], uid: 1000)
        #expect(paths == ["/run/user/1000/lorad.sock", "/run/lorad/lorad.sock"])
        #expect(LoradSocketPath.candidates(environment: ["LORAD_SOCKET": ""], uid: 1000) == ["/run/lorad/lorad.sock"])
        #expect(LoradSocketPath.candidates(environment: ["XDG_RUNTIME_DIR": "relative"], uid: 1000) == ["/run/lorad/lorad.sock"])
    }

    @Test func resolvePicksTheFirstExistingCandidate() {
        let environment = ["XDG_RUNTIME_DIR": "/run/user/1000"]
        let system = LoradSocketPath.resolve(environment: environment, uid: 1000) { $0 == "/run/lorad/lorad.sock" }
        #expect(system == "/run/lorad/lorad.sock")
        let none = LoradSocketPath.resolve(environment: environment, uid: 1000) { _ in false }
        #expect(none == "/run/user/1000/lorad.sock")
    }
}
