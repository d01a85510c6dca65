import Testing

@testable import LoradWire

@Suite struct ErrorPayloadTests {
    @Test func knownCodesCarryTheirNames() {
        let payload = ErrorPayload(code: .notReady, message: "base loading; retry in a second")
        #expect(payload.rawCode == 106)
        #expect(payload.name == "not_ready")
        #expect(payload.code == .notReady)
        #expect(payload.description == "not_ready (106): base loading; retry in a second")
    }

    @Test func unknownCodesSurviveARoundTrip() throws {
        let payload = ErrorPayload(rawCode: 999, name: "from_the_future", message: "m")
        #expect(payload.code == nil)
        let frame = try ServerMessage.error(payload).encode(requestID: 4)
        #expect(try decodeOne(frame.bytes, fds: [], client: false) == .server(.error(payload)))
    }

    @Test func longMessagesAreCutAtACharacterBoundary() throws {
        let payload = ErrorPayload(code: .internal, message: String(repeating: "é", count: 600))
        #expect(payload.message.utf8.count == WireLimits.maxMessageBytes)
        #expect(payload.message.allSatisfy { $0 == "é" })
        _ = try ServerMessage.error(payload).encode(requestID: 1)
        let odd = ErrorPayload(code: .internal, message: "a" + String(repeating: "é", count: 600))
        #expect(odd.message.utf8.count == WireLimits.maxMessageBytes - 1)
    }

    @Test func wireErrorsBecomePayloads() {
        let error = WireError(.fdCountMismatch, "x")
        #expect(error.payload == ErrorPayload(rawCode: 5, name: "fd_count_mismatch", message: "x"))
        #expect(error.description == "fd_count_mismatch: x")
        #expect(WireError.controlMessageTruncated.code == .fdCountMismatch)
    }
}
