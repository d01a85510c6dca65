import Foundation
import Glibc
import LoradServer
import LoradServerTestSupport
import LoradSystem
import LoradWire
import Testing

/// The connection limits in a running server. Test clients connect with this process's uid,
/// which the harness makes the daemon's own (a privileged peer: exempt from the per-uid
/// limit, allowed into the reserved slots); ordinary peers, which need another uid, are
/// refused in LoradEndToEndTests' ConnectionLimitTests.
@Suite(.serialized) struct ServerAdmissionTests {
    /// Whether `client`, connected and HELLO sent, gets no answer within `wait` (it waits in
    /// the listen backlog).
    func waitsUnanswered(_ client: TestClient, for wait: Duration = .milliseconds(300)) throws -> Bool {
        do {
            _ = try client.receive(timeout: wait)
            return false
        } catch is TestClient.Timeout {
            return true
        }
    }

    @Test func privilegedPeersPassThePerUIDLimitAndUseTheReservedSlotsThenWait() throws {
        let harness = try ServerHarness { settings in
            settings.admission = AdmissionLimits(maxConnections: 2, connectionsPerUID: 1, reservedConnections: 1)
        }
        defer { harness.cleanup() }
        // Three: past the per-uid limit (1) and max_connections (2), into the reserved slot.
        let admitted = try (0..<3).map { _ in try harness.readyClient() }
        for client in admitted { #expect(try client.call(.ping(PingRequest(token: 1))).message == .ping(PingReply(token: 1))) }
        // The fourth is connected by the kernel but not accepted: no HELLO reply.
        let waiting = try harness.client()
        try waiting.send(try helloFrame(id: 1).bytes)
        #expect(try waitsUnanswered(waiting))
        var counters = harness.server.statistics.snapshot()
        #expect(counters.connectionsOpen == 3)
        #expect(counters.connectionsRefused == 0)
        #expect(harness.handler.log.withLock { $0.opened.count } == 3)
        // One closes: the waiting client is accepted and answered.
        admitted[0].close()
        guard case .hello = try waiting.expectFrame().message else {
            Issue.record("expected HELLO_REPLY once a slot freed")
            return
        }
        counters = harness.server.statistics.snapshot()
        #expect(counters.connectionsOpen == 3)
        #expect(counters.connectionsAccepted == 4)
    }

    @Test func raisingTheLimitsLiveResumesAccepting() throws {
        let harness = try ServerHarness { settings in
            settings.admission = AdmissionLimits(maxConnections: 1, connectionsPerUID: 1, reservedConnections: 0)
        }
        defer { harness.cleanup() }
        let first = try harness.readyClient()
        let waiting = try harness.client()
        try waiting.send(try helloFrame(id: 1).bytes)
        #expect(try waitsUnanswered(waiting))
        // A reload raising max_connections lets the waiting client in without any close.
        let current = harness.server.currentSettings
        try harness.server.update(
            access: current.access, connection: current.connection,
            admission: AdmissionLimits(maxConnections: 2, connectionsPerUID: 1, reservedConnections: 0))
        guard case .hello = try waiting.expectFrame().message else {
            Issue.record("expected HELLO_REPLY after the limit rose")
            return
        }
        #expect(try first.call(.ping(PingRequest(token: 2))).message == .ping(PingReply(token: 2)))
        // Lowering it again keeps both open (and refuses no one already in).
        try harness.server.update(
            access: current.access, connection: current.connection,
            admission: AdmissionLimits(maxConnections: 1, connectionsPerUID: 1, reservedConnections: 0))
        #expect(try first.call(.ping(PingRequest(token: 3))).message == .ping(PingReply(token: 3)))
        #expect(try waiting.call(.ping(PingRequest(token: 4))).message == .ping(PingReply(token: 4)))
        #expect(harness.server.statistics.snapshot().connectionsOpen == 2)
    }

    @Test func invalidAdmissionLimitsAreRefused() throws {
        let harness = try ServerHarness()
        defer { harness.cleanup() }
        let current = harness.server.currentSettings
        #expect(throws: ServerError.self) {
            try harness.server.update(
                access: current.access, connection: current.connection,
                admission: AdmissionLimits(maxConnections: 0, connectionsPerUID: 1, reservedConnections: 0))
        }
        #expect(harness.server.currentSettings == harness.server.settings)
    }
}
