import Testing

@testable import LoradWire

@Suite struct ErrorCodeTests {
    @Test func numbersAndNamesAreUniqueAndStable() {
        #expect(Set(ErrorCode.allCases.map(\.rawValue)).count == ErrorCode.allCases.count)
        #expect(Set(ErrorCode.allCases.map(\.name)).count == ErrorCode.allCases.count)
        for code in ErrorCode.allCases {
            #expect(ErrorCode(name: code.name) == code)
            #expect(code.name.utf8.count <= WireLimits.maxErrorNameBytes)
        }
        // Published numbers never change.
        #expect(ErrorCode.malformedFrame.rawValue == 1)
        #expect(ErrorCode.protocolViolation.rawValue == 7)
        #expect(ErrorCode.notFound.rawValue == 100)
        #expect(ErrorCode.unsupported.rawValue == 113)
        #expect(ErrorCode.tooManyConnections.rawValue == 114)
        #expect(ErrorCode.tooManyConnections.name == "too_many_connections")
        #expect(ErrorCode(name: "nope") == nil)
    }

    @Test func fatalAndRetryableKinds() {
        #expect(
            ErrorCode.allCases.filter(\.isFatal) == [
                .malformedFrame, .unsupportedVersion, .frameTooLarge, .fdCountMismatch, .handshakeRequired,
                .protocolViolation, .tooManyConnections,
            ])
        #expect(
            ErrorCode.allCases.filter(\.isRetryable) == [.notReady, .tooManyRequests, .shuttingDown, .tooManyConnections])
    }
}
