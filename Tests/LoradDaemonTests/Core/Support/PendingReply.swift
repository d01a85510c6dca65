import LoradServer
import LoradSystem
import LoradWire
import Synchronization

@testable import LoradDaemon

/// Where the reply to a request sent without waiting lands (``CoreHarness/send(_:id:fds:peer:)``).
final class PendingReply: Sendable {
    private let slot = Mutex<HandlerReply?>(nil)

    func put(_ reply: HandlerReply) { slot.withLock { $0 = reply } }

    /// The reply, nil while none came.
    var reply: HandlerReply? { slot.withLock { $0 } }

    /// The reply's error code, nil for none yet or a normal reply.
    var errorCode: ErrorCode? { reply?.errorCode }

    /// Waits at most `limit` for the reply; nil when none came by then (the request is
    /// stuck: the test fails instead of hanging).
    func wait(upTo limit: Duration) async -> HandlerReply? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let reply { return reply }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return reply
    }
}

extension CoreHarness {
    /// Sends one request without waiting; its reply lands in the returned box.
    func send(_ request: ClientMessage, id: UInt32, fds: [FileDescriptor] = [], peer: PeerContext = CoreHarness.admin) -> PendingReply {
        let box = PendingReply()
        core.handle(request, requestID: id, fds: OwnedDescriptors(fds), peer: peer) { box.put($0) }
        return box
    }
}
