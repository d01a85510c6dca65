import Foundation
import LoradWire
import Testing
@testable import loractl

/// Issue 8: `loractl --socket S status` exited 64 ("Unknown option"); the online options
/// are accepted before the command as well as after it.
@Suite(.serialized) struct OnlineOptionsTests {
    let cli = LoractlProcessTests()

    @Test func leadingOnlineOptionsMoveAfterTheCommand() {
        #expect(OnlineOptions.movedAfterCommand(["--socket", "s", "status"]) == ["status", "--socket", "s"])
        #expect(OnlineOptions.movedAfterCommand(["--json", "--socket=s", "list", "--tag", "t"])
            == ["list", "--json", "--socket=s", "--tag", "t"])
        #expect(OnlineOptions.movedAfterCommand(["--socket", "s", "--json", "show", "a@2", "--socket", "t"])
            == ["show", "--socket", "s", "--json", "a@2", "--socket", "t"])
        #expect(OnlineOptions.movedAfterCommand(["--timeout", "5s", "--socket=s", "status"])
            == ["status", "--timeout", "5s", "--socket=s"])
        #expect(OnlineOptions.movedAfterCommand(["--timeout=500ms", "bases"]) == ["bases", "--timeout=500ms"])
    }

    @Test func timeoutsAreDurations() throws {
        #expect(try OnlineOptions.parseTimeout("5s") == .seconds(5))
        #expect(try OnlineOptions.parseTimeout("250ms") == .milliseconds(250))
        #expect(try OnlineOptions.parseTimeout("1m30s") == .seconds(90))
        #expect(try OnlineOptions.parseTimeout("2") == .seconds(2))
        for bad in ["0s", "", "soon", "-1s", "5 parsecs"] {
            #expect(throws: (any Error).self, "\(bad)") { try OnlineOptions.parseTimeout(bad) }
        }
    }

    @Test func otherCommandLinesAreLeftAlone() {
        for arguments in [
            ["status", "--socket", "s"], ["--socket", "s"], ["--socket"], ["--json", "--help"], ["--socket", "s", "--version"],
            ["--verbose", "status"], [],
        ] {
            #expect(OnlineOptions.movedAfterCommand(arguments) == arguments, "\(arguments)")
        }
    }

    @Test func socketBeforeTheCommandReachesTheDaemon() throws {
        let daemon = try ScriptedDaemon { message, _ in
            guard case .stats = message else { return (.error(ErrorPayload(code: .unsupported, message: "unexpected")), []) }
            return (.stats(StatsReply(
                uptimeMilliseconds: 1000, connections: 1, sessions: 0, basesResident: 0, segments: 0, segmentBytes: 0,
                budgetBytes: 1024, cacheHits: 0, cacheMisses: 0, adapters: 0, storeBytes: 0)), [])
        }
        let status = try cli.run(["--socket", daemon.path, "--json", "status"])
        #expect(status.status == 0, "\(status.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(object?["socket"] as? String == daemon.path)
        #expect(daemon.finish().count == 1)
    }

    @Test func socketBeforeTheCommandIsNoUsageError() throws {
        for arguments in [["--socket", "/nonexistent/lorad.sock", "status"], ["--socket=/nonexistent/lorad.sock", "bases", "--json"]] {
            let outcome = try cli.run(arguments)
            #expect(outcome.status == 69, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.hasPrefix("loractl: daemon unavailable at /nonexistent/lorad.sock"))
        }
    }
}
