import LoradClient
import LoradSystem
import LoradWire
import Testing
@testable import loractl

@Suite struct ExitStatusTests {
    static func server(_ code: ErrorCode) -> LoradClientError {
        .server(ErrorPayload(code: code, message: "m"), request: .ping)
    }

    @Test func clientErrorsMapToSysexits() {
        let socketError = SystemError(errno: 2, operation: "connect", path: "/x")
        #expect(classify(LoradClientError.daemonUnavailable(path: "/x", socketError)).0 == .unavailable)
        #expect(classify(LoradClientError.permissionDenied(path: "/x", socketError)).0 == .noPermission)
        #expect(classify(Self.server(.permissionDenied)).0 == .noPermission)
        #expect(classify(LoradClientError.fatal(ErrorPayload(code: .permissionDenied, message: "m"))).0 == .noPermission)
        #expect(classify(LoradClientError.fatal(ErrorPayload(code: .malformedFrame, message: "m"))).0 == .failure)
        #expect(classify(Self.server(.invalidArgument)).0 == .dataError)
        #expect(classify(Self.server(.incompatible)).0 == .dataError)
        #expect(classify(Self.server(.corrupt)).0 == .dataError)
        #expect(classify(Self.server(.notFound)).0 == .noInput)
        #expect(classify(Self.server(.inUse)).0 == .failure)
        #expect(classify(Self.server(.outputStalled)).0 == .ioError)
        #expect(ExitStatus.ioError.rawValue == 74)
        #expect(classify(LoradClientError.invalidRequest("bad name")).0 == .dataError)
        #expect(classify(LoradClientError.connectionClosed("(end of stream)")).0 == .failure)
        // The connection limits refuse for now: EX_TEMPFAIL; no answer in time: EX_UNAVAILABLE.
        #expect(classify(LoradClientError.fatal(ErrorPayload(code: .tooManyConnections, message: "m"))).0 == .tempFail)
        #expect(ExitStatus.tempFail.rawValue == 75)
        for stage in [LoradClientError.TimeoutStage.connect, .handshake] {
            let timedOut = LoradClientError.timedOut(path: "/x", timeout: .milliseconds(2500), stage: stage)
            #expect(classify(timedOut).0 == .unavailable)
            #expect(classify(timedOut).1.contains("did not answer within 2.5s"), "\(timedOut)")
        }
    }

    @Test func theMessageIsTheErrorsOneLine() {
        let (_, message) = classify(Self.server(.notFound))
        #expect(message == "PING failed: m (not_found)")
        #expect(!message.contains("\n"))
    }
}
