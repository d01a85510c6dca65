import Foundation
import LoradServer
import LoradServerTestSupport
import LoradSystem
import LoradWire
import Testing

/// A handler that blocks the loop thread on PING 666 until `release` is signalled.
final class StallingHandler: RequestHandling {
    let entered = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)

    func handle(
        _ request: ClientMessage, requestID: UInt32, fds: OwnedDescriptors, peer: PeerContext,
        reply: @escaping @Sendable (HandlerReply) -> Void
    ) {
        if case .ping(let ping) = request, ping.token == 666 {
            entered.signal()
            release.wait()
        }
        if case .ping(let ping) = request { reply(HandlerReply(.ping(PingReply(token: ping.token)))) }
    }

    func connectionOpened(_ connectionID: UInt64) {}
    func connectionClosed(_ connectionID: UInt64) {}
    func statusLine() -> String { "stalling" }
}

@Suite struct ServerProbeTests {
    @Test func probeRunsOnATurningLoop() throws {
        let harness = try ServerHarness(handler: FakeHandler())
        defer { harness.cleanup() }
        #expect(harness.server.probe(timeout: .seconds(5)))
        #expect(harness.server.probe(timeout: .seconds(5)))
    }

    @Test func probeFailsWhileTheLoopIsStuckAndRecoversAfter() throws {
        let handler = StallingHandler()
        let harness = try ServerHarness(handler: handler)
        defer { harness.cleanup() }
        let client = try harness.readyClient()
        defer { client.close() }
        try client.send(.ping(PingRequest(token: 666)), id: 1)
        #expect(handler.entered.wait(timeout: .now() + 5) == .success)
        #expect(harness.server.probe(timeout: .milliseconds(200)) == false)
        handler.release.signal()
        #expect(harness.server.probe(timeout: .seconds(5)))
    }

    @Test func probeFailsAfterTheServerEnded() throws {
        let harness = try ServerHarness(handler: FakeHandler())
        defer { harness.cleanup() }
        harness.stop()
        #expect(harness.server.probe(timeout: .milliseconds(200)) == false)
    }
}

@Suite struct ServerUpdateTests {
    @Test func updatedAccessRulesApplyToNewConnections() throws {
        let harness = try ServerHarness(handler: FakeHandler())
        defer { harness.cleanup() }
        let before = try harness.readyClient()
        defer { before.close() }
        // Only some other uid may connect now (root and the daemon's uid always may: pick a
        // daemon uid that is not ours, so that we are refused).
        try harness.server.update(
            access: AccessPolicy(daemonUID: geteuid() &+ 1, allowedUIDs: [geteuid() &+ 2]),
            connection: harness.server.settings.connection)
        #expect(harness.server.currentSettings.access.daemonUID == geteuid() &+ 1)
        if geteuid() != 0 {
            let after = try harness.client()
            defer { after.close() }
            guard case .fatal(let payload) = try after.expectFrame().message else {
                Issue.record("expected a FATAL refusal")
                return
            }
            #expect(payload.code == .permissionDenied)
        }
        // The connection admitted before keeps working.
        #expect(try before.call(.ping(PingRequest(token: 3))).message == .ping(PingReply(token: 3)))
    }

    @Test func invalidUpdateChangesNothing() throws {
        let harness = try ServerHarness(handler: FakeHandler())
        defer { harness.cleanup() }
        var connection = harness.server.settings.connection
        connection.frameLimits = FrameLimits(maxFrameBytes: 100, maxFDsPerFrame: 253)
        #expect(throws: ServerError.self) {
            try harness.server.update(access: AccessPolicy(daemonUID: 1), connection: connection)
        }
        #expect(harness.server.currentSettings == harness.server.settings)
    }
}
