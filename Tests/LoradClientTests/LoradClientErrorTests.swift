import LoradSystem
import LoradWire
import Testing
@testable import LoradClient

@Suite struct LoradClientErrorTests {
    @Test func serverErrorsKeepCodeNameAndMessage() {
        let error = LoradClientError.server(ErrorPayload(code: .notFound, message: "no adapter named \"x\""), request: .showAdapter)
        #expect(error.code == .notFound)
        #expect(error.errorName == "not_found")
        #expect(error.isRequestError)
        #expect(error.description.contains("no adapter named"))
        #expect(error.description.contains("not_found"))
    }

    @Test func unknownCodesKeepTheirName() {
        let error = LoradClientError.server(ErrorPayload(rawCode: 150, name: "future_code", message: "m"), request: .ping)
        #expect(error.code == nil)
        #expect(error.errorName == "future_code")
    }

    @Test func aRefusedConnectionIsNotBlamedOnTheClient() {
        let error = LoradClientError.fatal(ErrorPayload(code: .permissionDenied, message: "user nobody may not connect"))
        #expect(error.description == "lorad refused the connection: user nobody may not connect (permission_denied)")
        #expect(error.isConnectionFailure)
    }

    @Test func unavailableNamesThePathAndTheFix() {
        let error = LoradClientError.daemonUnavailable(
            path: "/run/lorad/lorad.sock", SystemError(errno: 111, operation: "connect", path: "/run/lorad/lorad.sock"))
        #expect(error.description.hasPrefix("daemon unavailable at /run/lorad/lorad.sock: is lorad running? (systemctl start lorad.socket)"))
        #expect(error.isConnectionFailure)
    }
}
