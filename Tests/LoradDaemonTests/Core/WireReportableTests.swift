import Glibc
import LoradStore
import LoradSystem
import LoradWire
import Testing

@testable import LoradDaemon

/// Each error type says how it is reported; the mapping takes its code and message as they are.
@Suite struct WireReportableTests {
    struct Foreign: Error {}

    @Test func daemonErrorsReportTheirOwnCodes() throws {
        let cases: [(any WireReportable, ErrorCode)] = [
            (BaseError.notConfigured(name: "b", configured: []), .notFound),
            (BaseError.loading(name: "b", done: 1, total: 2), .notReady),
            (BaseError.inUse(name: "b"), .inUse),
            (ImportError.alreadyExists(name: "a"), .alreadyExists),
            (ImportError.noBaseLoaded, .incompatible),
            (OutputError.readerClosed, .invalidArgument),
            (OutputError(writing: SystemError(errno: ENOSPC, operation: "write")), .resourceExhausted),
            (StoredAdapterError.inSession(reference: "a@1"), .inUse),
            (RequestError.needsAdmin(request: "GC (0x0043)"), .permissionDenied),
            (DaemonBug("x"), .internal),
            (SessionError.sessionLimit(uid: 1, limit: 2), .resourceExhausted),
            (SegmentBudgetError(requested: 2, inUse: 1, budget: 1), .resourceExhausted),
            (CatalogError.notFound(try AdapterReference(name: "a")), .notFound),
        ]
        for (error, code) in cases {
            let reported = WireError(reporting: error)
            #expect(reported.code == code, "\(error)")
            #expect(reported.message == error.wireMessage)
        }
    }

    @Test func messagesSayWhatToDo() {
        #expect(BaseError.notConfigured(name: "b", configured: []).wireMessage == "no base named b is configured (configured: none); LIST_BASES shows them")
        #expect(DaemonBug("a parallel job did not run").wireMessage == "a parallel job did not run; this is a lorad bug")
    }

    @Test func errorsOfOtherTypesAreInternal() {
        #expect(WireError(reporting: Foreign()).code == .internal)
    }
}
