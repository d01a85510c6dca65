import Logging
import Synchronization

/// Where the `reply` closure of one dispatched request delivers: straight back to the loop
/// when the handler answers while the loop is still inside `handle` (PING, LIST_BASES...:
/// most requests), through the ``CompletionMailbox`` once `handle` has returned (worker
/// replies). It also makes the reply effective once: a second call (a handler bug) must not
/// answer a later request that reuses the id.
///
/// The loop calls ``endHandling()`` right after `handle` returns; a reply given before that
/// — on the loop thread or, racing, on a worker — is returned there and queued at once,
/// without the mailbox's lock, list and eventfd.
final class ReplyRoute: Sendable {
    private enum Stage: Sendable {
        /// The loop is inside `handle`; holds the reply given so far.
        case handling(HandlerReply?)
        /// `handle` returned without a reply: the next one goes to the mailbox.
        case posting
        /// The reply was delivered.
        case answered
    }

    private enum Delivery {
        case kept, post, duplicate
    }

    private let connectionID: UInt64
    private let requestID: UInt32
    private let mailbox: CompletionMailbox
    private let logger: Logger
    private let stage = Mutex(Stage.handling(nil))

    /// A route for request `requestID` of connection `connectionID`.
    init(connectionID: UInt64, requestID: UInt32, mailbox: CompletionMailbox, logger: Logger) {
        self.connectionID = connectionID
        self.requestID = requestID
        self.mailbox = mailbox
        self.logger = logger
    }

    /// The handler's `reply` (any thread, once).
    func deliver(_ reply: HandlerReply) {
        let delivery = stage.withLock { stage -> Delivery in
            switch stage {
            case .handling(nil):
                stage = .handling(reply)
                return .kept
            case .posting:
                stage = .answered
                return .post
            case .handling(.some), .answered:
                return .duplicate
            }
        }
        switch delivery {
        case .kept:
            break
        case .post:
            let completion = CompletionMailbox.Completion(connectionID: connectionID, requestID: requestID, reply: reply)
            _ = mailbox.post(completion)  // refused once the loop ended: the reply is dropped
        case .duplicate:
            logger.error("the handler answered request \(requestID) of connection \(connectionID) twice; dropped the second reply")
        }
    }

    /// `handle` returned (loop thread): the reply given meanwhile, if any, for the loop to
    /// queue; later replies go through the mailbox.
    func endHandling() -> HandlerReply? {
        stage.withLock { stage in
            guard case .handling(let reply) = stage else { return nil }
            stage = reply == nil ? .posting : .answered
            return reply
        }
    }
}
