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

    @Test func controlCharactersAreEscapedSoTheMessageIsOneLine() {
        let payload = ErrorPayload(
            code: .invalidArgument,
            message: "adapter \"a\nb\u{1}c\r\td\u{7F}e\u{85}f\u{2028}g\" is not a valid name; caf\u{E9} stays")
        #expect(payload.message == #"adapter "a\nb\u{01}c\r\td\u{7F}e\u{85}f\u{2028}g" is not a valid name; café stays"#)
        #expect(!payload.message.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        // A CR LF pair is one Character: both halves are escaped.
        #expect(ErrorPayload(code: .internal, message: "x\r\ny").message == #"x\r\ny"#)
        // FATAL payloads are built the same way.
        let fatal = WireError(.protocolViolation, "client \u{1B}[2Jname\n").payload
        #expect(fatal.message == #"client \u{1B}[2Jname\n"#)
    }

    @Test func escapingKeepsTheBoundWithoutSplittingAnEscapeOrACharacter() throws {
        // Each newline grows to 2 bytes: of 1023, the first 512 fit (1024 bytes).
        let newlines = ErrorPayload(code: .internal, message: String(repeating: "\n", count: 1023))
        #expect(newlines.message == String(repeating: #"\n"#, count: 512))
        // An escape that does not fit whole (6 bytes after 1019) is left out with all that
        // follows, even a character that would fit.
        let mixed = ErrorPayload(code: .internal, message: String(repeating: "a", count: 1019) + "\u{1}" + "é")
        #expect(mixed.message == String(repeating: "a", count: 1019))
        let fits = ErrorPayload(code: .internal, message: String(repeating: "a", count: 1018) + "\u{1}")
        #expect(fits.message == String(repeating: "a", count: 1018) + #"\u{01}"#)
        #expect(fits.message.utf8.count == WireLimits.maxMessageBytes)
        _ = try ServerMessage.error(newlines).encode(requestID: 1)
    }

    @Test func wireErrorsBecomePayloads() {
        let error = WireError(.fdCountMismatch, "x")
        #expect(error.payload == ErrorPayload(rawCode: 5, name: "fd_count_mismatch", message: "x"))
        #expect(error.description == "fd_count_mismatch: x")
        #expect(WireError.controlMessageTruncated.code == .fdCountMismatch)
    }
}
