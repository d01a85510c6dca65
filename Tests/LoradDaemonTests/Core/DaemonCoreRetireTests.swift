import LoradWire
import Testing

@testable import LoradDaemon

/// Bases removed from the configuration by a reload.
@Suite struct DaemonCoreRetireTests {
    @Test func retiredBaseRefusesNewSessionsKeepsOpenOnesAndComesBack() async throws {
        let harness = try CoreHarness()
        try await harness.loadFixtureBase()
        let open = try await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused))).session()

        harness.core.retireBases(["tiny", "unknown"])
        let refused = await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused)))
        #expect(refused.errorCode == .notFound)
        let kept = try await harness.call(.getSegments(GetSegmentsRequest(sessionID: open.sessionID))).session()
        #expect(kept.base == "tiny" && kept.segments.map(\.kind) == [.base])

        try await harness.loadFixtureBase()
        let again = await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused)))
        #expect(try again.session().base == "tiny")
    }
}
