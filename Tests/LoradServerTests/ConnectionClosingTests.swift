import LoradServer
import LoradWire
import Testing

/// The closing state machine alone: each event and the action it returns, without sockets.
@Suite struct ConnectionClosingTests {
    let t0 = ContinuousClock.now
    let fatal = ConnectionCloseReason.fatal(ErrorPayload(code: .protocolViolation, message: "bad"))

    @Test func aReasonThatFlushesLingersWhileFramesAreQueued() {
        var closing = ConnectionClosing()
        #expect(closing.end(fatal, hasQueuedFrames: true, now: t0, linger: .seconds(2)) == .linger(until: t0.advanced(by: .seconds(2))))
        #expect(closing.isEnding && !closing.isClosed)
        #expect(closing.deadline == t0.advanced(by: .seconds(2)))
        // A second reason does not change anything while it lingers.
        #expect(closing.end(.drained, hasQueuedFrames: true, now: t0, linger: .seconds(9)) == .none)
        #expect(closing.queueDrained() == .close(fatal))
        #expect(closing.isClosed)
        #expect(closing.phase == .closed(reason: fatal))
        #expect(closing.deadline == nil)
    }

    @Test func withNothingQueuedOrAReasonThatDoesNotFlushItClosesAtOnce() {
        var empty = ConnectionClosing()
        #expect(empty.end(fatal, hasQueuedFrames: false, now: t0, linger: .seconds(2)) == .close(fatal))
        var reset = ConnectionClosing()
        #expect(reset.end(.endOfStream(midFrame: false), hasQueuedFrames: true, now: t0, linger: .seconds(2)) == .close(.endOfStream(midFrame: false)))
        #expect(reset.isClosed)
    }

    @Test func theLingerDeadlineClosesAPeerThatDoesNotRead() {
        var closing = ConnectionClosing()
        _ = closing.end(.graceExpired, hasQueuedFrames: true, now: t0, linger: .milliseconds(500))
        #expect(closing.check(now: t0.advanced(by: .milliseconds(499))) == .none)
        #expect(closing.check(now: t0.advanced(by: .milliseconds(500))) == .close(.graceExpired))
        #expect(closing.check(now: t0.advanced(by: .seconds(9))) == .none)
    }

    @Test func aHangUpClosesWithTheLingeringReasonOrItsOwn() {
        var lingering = ConnectionClosing()
        _ = lingering.end(.drained, hasQueuedFrames: true, now: t0, linger: .seconds(2))
        #expect(lingering.hungUp() == .close(.drained))
        var open = ConnectionClosing()
        #expect(open.hungUp() == .close(.socketError("the peer hung up")))
        #expect(open.hungUp() == .none)
    }

    @Test func anAbortClosesNowWhateverTheConnectionWasDoing() {
        var closing = ConnectionClosing()
        _ = closing.end(fatal, hasQueuedFrames: true, now: t0, linger: .seconds(2))
        #expect(closing.abort(.slowReader(queuedBytes: 9)) == .close(.slowReader(queuedBytes: 9)))
        #expect(closing.abort(.socketError("x")) == .none)
        #expect(closing.queueDrained() == .none)
        #expect(closing.check(now: t0.advanced(by: .seconds(3))) == .none)
    }

    @Test func anOpenConnectionIgnoresDrainsAndDeadlines() {
        var closing = ConnectionClosing()
        #expect(closing.queueDrained() == .none)
        #expect(closing.check(now: t0.advanced(by: .seconds(100))) == .none)
        #expect(closing.phase == .open)
        #expect(!closing.isEnding)
    }
}
