import Logging
import LoradServerTestSupport
import LoradWire
import Testing

@testable import LoradServer

@Suite struct ReplyRouteTests {
    let logger = Logger(label: "test")

    func ping(_ token: UInt64) -> HandlerReply {
        HandlerReply(.ping(PingReply(token: token)))
    }

    func token(_ reply: HandlerReply?) -> UInt64? {
        guard case .ping(let payload)? = reply?.message else { return nil }
        return payload.token
    }

    @Test func aReplyGivenWhileHandlingComesBackWithoutTheMailbox() throws {
        let mailbox = try CompletionMailbox()
        let route = ReplyRoute(connectionID: 3, requestID: 7, mailbox: mailbox, logger: logger)
        route.deliver(ping(42))
        #expect(token(route.endHandling()) == 42)
        #expect(mailbox.take().completions.isEmpty)
        route.deliver(ping(43))  // a second reply: dropped
        #expect(mailbox.take().completions.isEmpty)
    }

    @Test func aLaterReplyGoesThroughTheMailboxOnce() throws {
        let mailbox = try CompletionMailbox()
        let route = ReplyRoute(connectionID: 3, requestID: 7, mailbox: mailbox, logger: logger)
        #expect(route.endHandling() == nil)
        route.deliver(ping(5))
        route.deliver(ping(6))
        let completions = mailbox.take().completions
        #expect(completions.map(\.connectionID) == [3])
        #expect(completions.map(\.requestID) == [7])
        #expect(completions.map { token($0.reply) } == [5])
        #expect(route.endHandling() == nil)
    }

    @Test func aSecondReplyWhileHandlingIsDropped() throws {
        let mailbox = try CompletionMailbox()
        let route = ReplyRoute(connectionID: 1, requestID: 2, mailbox: mailbox, logger: logger)
        route.deliver(ping(1))
        route.deliver(ping(2))
        #expect(token(route.endHandling()) == 1)
        #expect(mailbox.take().completions.isEmpty)
    }
}
