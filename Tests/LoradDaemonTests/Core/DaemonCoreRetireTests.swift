import LoradWire
import Testing

@testable import LoradDaemon

/// Bases removed from the configuration by a reload.
@Suite struct DaemonCoreRetireTests {
    @Test func removedBaseLeavesTheListKeepsOpenSessionsAndComesBack() async throws {
        let harness = try CoreHarness()
        try await harness.loadFixtureBase()
        let open = try await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused))).session()

        harness.core.removeBases(["tiny", "unknown"])
        #expect(harness.core.baseState("tiny") == nil)
        #expect(harness.core.statusLine().hasPrefix("bases 0/0 ready"))
        let refused = await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused)))
        #expect(refused.errorCode == .notFound)
        let kept = try await harness.call(.getSegments(GetSegmentsRequest(sessionID: open.sessionID))).session()
        #expect(kept.base == "tiny" && kept.segments.map(\.kind) == [.base])
        let held = harness.core.state.withLock { $0.removedBases.keys.sorted() }
        #expect(held == ["tiny"])

        // Closing the last session on it drops the removed base.
        _ = await harness.call(.closeSession(CloseSessionRequest(sessionID: open.sessionID)))
        #expect(harness.core.state.withLock { $0.removedBases.isEmpty })

        try await harness.loadFixtureBase()
        let again = await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused)))
        #expect(try again.session().base == "tiny")
    }
}
