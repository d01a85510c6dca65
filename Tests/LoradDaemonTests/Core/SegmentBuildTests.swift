import Dispatch
import LoradWire
import Testing

@testable import LoradDaemon

/// The waiting side of a single-flight build, without the core.
@Suite struct SegmentBuildTests {
    private func token() -> RequestToken { RequestToken(connectionID: 1, requestID: 1) }

    @Test func aFinishedBuildAnswersEveryWaiterWithItsOutcome() throws {
        let succeeded = SegmentBuild()
        succeeded.finish(failure: nil)
        #expect(try succeeded.wait(token: token()) == nil)
        #expect(try succeeded.wait(token: token()) == nil)

        let failed = SegmentBuild()
        failed.finish(failure: WireError(.corrupt, "damaged"))
        failed.finish(failure: nil)
        #expect(try failed.wait(token: token())?.code == .corrupt)
        #expect(failed.waiting == 0)
    }

    @Test func aWaiterWakesWhenTheBuildFinishesOnAnotherThread() throws {
        let build = SegmentBuild()
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(30)) {
            build.finish(failure: SegmentBudgetError(requested: 10, inUse: 5, budget: 12))
        }
        #expect(try build.wait(token: token())?.code == .resourceExhausted)
    }

    @Test func aCancelledWaiterStopsWaitingForABuildThatNeverEnds() {
        let build = SegmentBuild()
        let mine = token()
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(30)) { mine.cancel() }
        #expect(throws: WireError.cancelled) { try build.wait(token: mine) }
        #expect(build.waiting == 0)
    }

    @Test func waitersRebuildAfterEveryFailureButADamagedPack() {
        #expect(SegmentBuild.waitersRetry(after: .cancelled))
        #expect(SegmentBuild.waitersRetry(after: WireError(.resourceExhausted, "full")))
        #expect(SegmentBuild.waitersRetry(after: WireError(.notFound, "removed")))
        #expect(SegmentBuild.waitersRetry(after: WireError(.incompatible, "other base")))
        #expect(SegmentBuild.waitersRetry(after: WireError(.internal, "memfd")))
        #expect(!SegmentBuild.waitersRetry(after: WireError(.corrupt, "damaged")))
    }
}
