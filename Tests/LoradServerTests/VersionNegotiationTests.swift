import LoradServer
import LoradServerTestSupport
import LoradWire
import Testing

/// Protocol 1.2 servers still serve 1.0 and 1.1 clients, each at the version it offers.
@Suite struct VersionNegotiationTests {
    @Test func olderClientsNegotiateTheirOwnVersion() throws {
        let harness = try ServerHarness()
        defer { harness.cleanup() }
        for minor in [UInt16(0), 1, 2] {
            let client = try harness.client()
            try client.send(try helloFrame(minVersion: .first, maxVersion: ProtocolVersion(major: 1, minor: minor)).bytes)
            guard case .hello(let reply) = try client.expectFrame().message else {
                Issue.record("expected HELLO_REPLY for an offer up to 1.\(minor)")
                continue
            }
            #expect(reply.version == ProtocolVersion(major: 1, minor: minor))
            #expect(try client.call(.ping(PingRequest(token: 5))).message == .ping(PingReply(token: 5)))
        }
    }
}
