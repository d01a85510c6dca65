import Dispatch
import LoradServer
import LoradSystem
import LoradWire
import Synchronization
import Testing

@testable import LoradDaemon

/// CANCEL and closed connections, made deterministic by parking the only worker.
@Suite struct DaemonCoreCancellationTests {
    /// A one-thread harness with the fixture base and `plain` imported.
    private func prepared() async throws -> CoreHarness {
        let harness = try CoreHarness(threads: 1)
        try await harness.loadFixtureBase()
        _ = try await harness.importFixture("diffusers_plain", as: "plain")
        return harness
    }

    /// Occupies the pool's only worker until the returned semaphore is signalled.
    private func park(_ harness: CoreHarness) -> DispatchSemaphore {
        let gate = DispatchSemaphore(value: 0)
        harness.core.pool.submit { gate.wait() }
        return gate
    }

    /// Waits until the pool has nothing left to run.
    private func drain(_ harness: CoreHarness) async {
        while harness.core.pool.pendingCount > 0 { await Task.yield() }
    }

    @Test func cancelAnswersThePendingRequestWithCancelled() async throws {
        let harness = try await prepared()
        let id = try await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused))).session().sessionID
        let gate = park(harness)
        let pending = harness.send(.switchAdapters(SwitchRequest(sessionID: id, adapters: [weighted("plain", 1)])), id: 500, peer: CoreHarness.admin)
        guard case .cancel(let cancel) = await harness.call(.cancel(CancelRequest(targetRequestID: 500))).message else {
            Issue.record("cancel failed")
            return
        }
        #expect(cancel.wasPending)
        gate.signal()
        await drain(harness)
        #expect(pending.errorCode == .cancelled)
        let state = try await harness.call(.getSegments(GetSegmentsRequest(sessionID: id))).session()
        #expect(state.generation == 0 && state.active.isEmpty)
        #expect(harness.core.segmentStats.referencedBytes == 0)
    }

    @Test func aClosedConnectionCancelsItsWorkAndReleasesEverything() async throws {
        let harness = try await prepared()
        let peer = CoreHarness.user
        let id = try await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .factors)), peer: peer).session().sessionID
        _ = try await harness.call(.switchAdapters(SwitchRequest(sessionID: id, adapters: [weighted("plain", 1)])), peer: peer).session()
        #expect(harness.core.segmentStats.referencedEntries == 1)
        let gate = park(harness)
        let pending = harness.send(.switchAdapters(SwitchRequest(sessionID: id, adapters: [weighted("plain", 2)])), id: 7, peer: peer)
        harness.core.connectionClosed(peer.connectionID)
        #expect(harness.core.segmentStats.referencedEntries == 0)
        gate.signal()
        await drain(harness)
        #expect(pending.errorCode == .cancelled)
        let stats = harness.core.segmentStats
        #expect(stats.referencedBytes == 0 && stats.reservedBytes == 0)
        _ = await harness.call(.evict(EvictRequest()))
        #expect(harness.core.segmentStats.entries == 0)
    }
}
