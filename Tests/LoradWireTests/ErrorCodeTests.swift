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
        #expect(ErrorCode.outputStalled.rawValue == 115 && ErrorCode.outputStalled.name == "output_stalled")
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

    /// A code newer than the peer's version is never sent to it: `output_stalled` (1.2)
    /// becomes `invalid_argument` for 1.0 and 1.1 peers; every 1.0 code goes to everyone;
    /// `too_many_connections` (1.2) precedes HELLO, so it is sent as it is to everyone.
    @Test func codesNewerThanThePeerAreReplacedByOlderOnes() {
        let v1_0 = ProtocolVersion.first, v1_1 = ProtocolVersion.baseOrigin, v1_2 = ProtocolVersion(major: 1, minor: 2)
        #expect(ErrorCode.outputStalled.introduced == v1_2)
        #expect(ErrorCode.outputStalled.compatible(with: .current) == .outputStalled)
        #expect(ErrorCode.outputStalled.compatible(with: v1_1) == .invalidArgument)
        #expect(ErrorCode.outputStalled.compatible(with: v1_0) == .invalidArgument)
        #expect(ErrorCode.tooManyConnections.introduced == v1_2)
        #expect(ErrorCode.tooManyConnections.compatible(with: v1_0) == .tooManyConnections)
        let newer: Set<ErrorCode> = [.tooManyConnections, .outputStalled]
        for code in ErrorCode.allCases where !newer.contains(code) {
            #expect(code.introduced == v1_0)
            #expect(code.compatible(with: v1_0) == code)
        }
        for code in ErrorCode.allCases where code != .tooManyConnections {
            #expect(code.compatible(with: .first).introduced <= .first)
        }
    }
}
