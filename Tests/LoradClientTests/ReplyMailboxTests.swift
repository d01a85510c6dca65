import LoradSystem
import LoradWire
import Testing
@testable import LoradClient

@Suite struct ReplyMailboxTests {
    @Test func requestIDsSkipZeroAndPendingOnes() {
        var mailbox = ReplyMailbox()
        let first = mailbox.register(.ping)
        let second = mailbox.register(.stats)
        #expect(first == 1)
        #expect(second == 2)
        #expect(mailbox.inFlightCount == 2)
        mailbox.unregister(first)
        #expect(mailbox.inFlightCount == 1)
    }

    @Test func repliesAreMatchedByIDInAnyOrder() throws {
        var mailbox = ReplyMailbox()
        let ping = mailbox.register(.ping)
        let stats = mailbox.register(.gc)
        let (gcDisposition, gcDiscard) = mailbox.accept(
            try receivedFrame(.gc(GCReply(blobsRemoved: 3, bytesFreed: 99)), requestID: stats))
        let (pingDisposition, _) = mailbox.accept(try receivedFrame(.ping(PingReply(token: 7)), requestID: ping))
        guard case .stored(stats) = gcDisposition, case .stored(ping) = pingDisposition else {
            Issue.record("replies were not stored: \(gcDisposition) \(pingDisposition)")
            return
        }
        #expect(gcDiscard.isEmpty)
        #expect(mailbox.inFlightCount == 0)
        let taken = mailbox.take(ping)
        let pingAnswer = try #require(taken)
        #expect(pingAnswer.request == .ping)
        guard case .reply(let reply) = pingAnswer.answer, case .ping(let payload) = reply.message else {
            Issue.record("wrong answer \(pingAnswer.answer)")
            return
        }
        #expect(payload.token == 7)
        let again = mailbox.take(ping)
        let other = mailbox.take(stats)
        #expect(again == nil)
        #expect(other != nil)
    }

    @Test func errorRepliesAreStoredAsFailures() throws {
        var mailbox = ReplyMailbox()
        let id = mailbox.register(.showAdapter)
        let payload = ErrorPayload(code: .notFound, message: "no adapter named \"x\"")
        _ = mailbox.accept(try receivedFrame(.error(payload), requestID: id))
        let taken = mailbox.take(id)
        let answer = try #require(taken)
        guard case .failure(let received) = answer.answer else {
            Issue.record("expected a failure, got \(answer.answer)")
            return
        }
        #expect(received == payload)
        #expect(answer.request == .showAdapter)
    }

    @Test func aReplyToNoPendingRequestIsAViolation() throws {
        var mailbox = ReplyMailbox()
        _ = mailbox.register(.ping)
        let (disposition, _) = mailbox.accept(try receivedFrame(.ping(PingReply(token: 1)), requestID: 9))
        guard case .violation(let error) = disposition else {
            Issue.record("expected a violation, got \(disposition)")
            return
        }
        #expect(error.code == .protocolViolation)
        #expect(error.message.contains("not pending"))
    }

    @Test func aReplyOfTheWrongKindIsAViolation() throws {
        var mailbox = ReplyMailbox()
        let id = mailbox.register(.ping)
        let (disposition, _) = mailbox.accept(try receivedFrame(.stats(Self.stats), requestID: id))
        guard case .violation = disposition else {
            Issue.record("expected a violation, got \(disposition)")
            return
        }
        #expect(mailbox.inFlightCount == 1)
    }

    @Test func fatalFramesAndEventsAreReported() throws {
        var mailbox = ReplyMailbox()
        let fatal = ErrorPayload(code: .malformedFrame, message: "bad")
        guard case .fatal(fatal) = mailbox.accept(try receivedFrame(.fatal(fatal), requestID: 0)).0 else {
            Issue.record("FATAL not reported")
            return
        }
        let event = ShuttingDownEvent(graceMilliseconds: 500, reason: "SIGTERM")
        guard case .event = mailbox.accept(try receivedFrame(.shuttingDown(event), requestID: 0)).0 else {
            Issue.record("event not reported")
            return
        }
        #expect(mailbox.shutdownNotice == event)
    }

    @Test func unknownEventsAreSkippedButUnknownRepliesAreNot() throws {
        var mailbox = ReplyMailbox()
        let event = Frame(header: FrameHeader(payloadLength: 0, opcode: 0x4777, fdCount: 0, requestID: 0), payload: [])
        guard case .event = mailbox.accept(event).0 else {
            Issue.record("unknown event not skipped")
            return
        }
        let id = mailbox.register(.ping)
        let reply = Frame(header: FrameHeader(payloadLength: 0, opcode: 0x8777, fdCount: 0, requestID: id), payload: [])
        guard case .violation = mailbox.accept(reply).0 else {
            Issue.record("unknown reply opcode accepted")
            return
        }
    }

    @Test func descriptorsOfDiscardedFramesAreHandedBack() throws {
        var mailbox = ReplyMailbox()
        let fd = try sealedSegment([1, 2, 3])
        defer { try? fd.close() }
        let event = Frame(
            header: FrameHeader(payloadLength: 0, opcode: 0x4777, fdCount: 1, requestID: 0), payload: [], fds: [fd.rawValue])
        let (_, discard) = mailbox.accept(event)
        #expect(discard == [fd])
    }

    @Test func unclaimedReplyDescriptorsCanBeTaken() throws {
        var mailbox = ReplyMailbox()
        let id = mailbox.register(.getSegments)
        let fd = try sealedSegment([0])
        defer { try? fd.close() }
        let reply = SessionReply(
            sessionID: 1, base: "b", mode: .fused, generation: 0, active: [],
            segments: [SegmentDescriptor(kind: .base, segmentID: 5, byteSize: 1, fd: fd.rawValue)])
        _ = mailbox.accept(try receivedFrame(.getSegments(reply), requestID: id))
        let unclaimed = mailbox.takeUnclaimedDescriptors()
        let after = mailbox.take(id)
        #expect(unclaimed == [fd])
        #expect(after == nil)
    }

    static let stats = StatsReply(
        uptimeMilliseconds: 1, connections: 1, sessions: 0, basesResident: 0, segments: 0, segmentBytes: 0,
        budgetBytes: 0, cacheHits: 0, cacheMisses: 0, adapters: 0, storeBytes: 0)
}
