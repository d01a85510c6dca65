import Testing

@testable import LoradWire

@Suite struct ProtocolVersionTests {
    private func v(_ major: UInt16, _ minor: UInt16) -> ProtocolVersion { ProtocolVersion(major: major, minor: minor) }

    @Test func choosesTheHighestCommonVersion() {
        #expect(
            ProtocolVersion.negotiate(clientMin: v(1, 0), clientMax: v(1, 0), serverSupported: [v(1, 0)]) == v(1, 0))
        #expect(
            ProtocolVersion.negotiate(clientMin: v(1, 0), clientMax: v(1, 5), serverSupported: [v(1, 2)]) == v(1, 2))
        #expect(
            ProtocolVersion.negotiate(clientMin: v(1, 0), clientMax: v(1, 1), serverSupported: [v(1, 4)]) == v(1, 1))
        #expect(
            ProtocolVersion.negotiate(clientMin: v(1, 0), clientMax: v(3, 0), serverSupported: [v(1, 4), v(2, 1)])
                == v(2, 1))
        #expect(
            ProtocolVersion.negotiate(clientMin: v(1, 0), clientMax: v(2, 0), serverSupported: [v(2, 3), v(1, 4)])
                == v(2, 0))
    }

    @Test func refusesWhenNothingOverlaps() {
        #expect(ProtocolVersion.negotiate(clientMin: v(2, 0), clientMax: v(2, 9), serverSupported: [v(1, 9)]) == nil)
        #expect(ProtocolVersion.negotiate(clientMin: v(1, 3), clientMax: v(1, 9), serverSupported: [v(1, 2)]) == nil)
        #expect(ProtocolVersion.negotiate(clientMin: v(1, 1), clientMax: v(1, 0), serverSupported: [v(1, 5)]) == nil)
        #expect(ProtocolVersion.negotiate(clientMin: v(0, 0), clientMax: v(0, 9), serverSupported: [v(1, 0)]) == nil)
    }

    @Test func ordersLexicographically() {
        #expect(v(1, 9) < v(2, 0))
        #expect(v(1, 0) < v(1, 1))
        #expect(ProtocolVersion.current.description == "1.2")
    }
}
