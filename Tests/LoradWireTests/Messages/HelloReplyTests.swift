import Testing

@testable import LoradWire

@Suite struct HelloReplyTests {
    @Test func announcedLimitsMustBeInRange() throws {
        let good = HelloReply(
            version: .current, serverName: "s", maxFrameBytes: 65536, maxFDsPerFrame: 253, maxRequestsInFlight: 32)
        #expect(good.limits == .default)
        let bad = [
            HelloReply(
                version: .current, serverName: "s", maxFrameBytes: 100, maxFDsPerFrame: 253, maxRequestsInFlight: 1),
            HelloReply(
                version: .current, serverName: "s", maxFrameBytes: 4096, maxFDsPerFrame: 0, maxRequestsInFlight: 1),
            HelloReply(
                version: .current, serverName: "s", maxFrameBytes: 4096, maxFDsPerFrame: 254, maxRequestsInFlight: 1),
            HelloReply(
                version: .current, serverName: "s", maxFrameBytes: 4096, maxFDsPerFrame: 1, maxRequestsInFlight: 0),
        ]
        for reply in bad {
            #expect(
                caught { () throws(WireError) in try ServerMessage.hello(reply).encode(requestID: 1) }?.code
                    == .invalidArgument)
        }
        // max_requests_in_flight = 0 written over a valid frame's last two bytes.
        let frame = try ServerMessage.hello(good).encode(requestID: 1)
        var bytes = frame.bytes
        bytes.setLittleEndian(UInt16(0), at: bytes.count - 2)
        #expect(
            caught { () throws(WireError) in try decodeOne(bytes, fds: [], client: false) }?.code == .malformedFrame)
    }
}
