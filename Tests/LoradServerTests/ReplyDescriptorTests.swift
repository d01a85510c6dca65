import LoradServer
import LoradServerTestSupport
import LoradSystem
import LoradWire
import Synchronization
import Testing

/// Owns one descriptor for a reply, like a segment made for it alone: closes it when the last
/// reference goes.
private final class OneOffDescriptor: PassedDescriptor {
    private let owned: OwnedFileDescriptor
    var fd: FileDescriptor { owned.descriptor }
    init(_ descriptor: FileDescriptor) { owned = OwnedFileDescriptor(descriptor) }
}

/// Answers GET_SEGMENTS with the descriptor it was given (see ``give(_:namedAs:)``), naming
/// it by the number it is told, right or wrong; everything else with ERROR `unsupported`.
private final class PassingHandler: RequestHandling {
    private let next = Mutex<(descriptor: OneOffDescriptor, named: Int32?)?>(nil)

    /// The next reply holds `descriptor` (owned from now on) and names `named`, or the
    /// descriptor's own number when `nil`.
    func give(_ descriptor: FileDescriptor, namedAs named: Int32? = nil) {
        next.withLock { $0 = (OneOffDescriptor(descriptor), named) }
    }

    func handle(
        _ request: ClientMessage, requestID: UInt32, fds: OwnedDescriptors, peer: PeerContext,
        reply: @escaping @Sendable (HandlerReply) -> Void
    ) {
        fds.close()
        guard case .getSegments(let get) = request, let scripted = next.withLock({ $0.take() }) else {
            reply(HandlerReply(.error(ErrorPayload(code: .unsupported, message: "not scripted"))))
            return
        }
        let held = scripted.descriptor
        let segment = SegmentDescriptor(kind: .base, segmentID: 1, byteSize: 0, fd: scripted.named ?? held.fd.rawValue)
        let session = SessionReply(sessionID: get.sessionID, base: "b", mode: .factors, generation: 0, active: [], segments: [segment])
        reply(HandlerReply(.getSegments(session), passing: [held]))
    }

    func connectionOpened(_ connectionID: UInt64) {}
    func connectionClosed(_ connectionID: UInt64) {}
    func statusLine() -> String { "passing" }
}

/// Replies hold references to the descriptors they pass: the server sends exactly the
/// descriptors a reply names and lets the references go once the frame is written, or at
/// once when the reply is malformed.
@Suite(.serialized) struct ReplyDescriptorTests {
    @Test func aReplysDescriptorIsSentAndLetGoOnceWritten() throws {
        let harness = try ServerHarness(handler: PassingHandler())
        defer { harness.cleanup() }
        let client = try harness.readyClient()
        defer { client.close() }
        let watched = try WatchedDescriptor()
        harness.handler.give(watched.writeEnd)
        let frame = try client.call(.getSegments(GetSegmentsRequest(sessionID: 3)))
        guard case .getSegments(let reply) = frame.message else {
            Issue.record("expected GET_SEGMENTS_REPLY, got \(frame.message)")
            return
        }
        #expect(frame.fds.count == 1)
        #expect(reply.segments.map(\.fd) == frame.fds)
        #expect(!watched.isClosed, "the client holds its copy")
        for fd in frame.fds { try FileDescriptor(rawValue: fd).close() }
        #expect(eventually { watched.isClosed }, "the server let its reference go after sending")
    }

    @Test func aReplyNamingADescriptorItDoesNotHoldIsAnInternalErrorAndLetsGoAtOnce() throws {
        let harness = try ServerHarness(handler: PassingHandler())
        defer { harness.cleanup() }
        let client = try harness.readyClient()
        defer { client.close() }
        let watched = try WatchedDescriptor()
        harness.handler.give(watched.writeEnd, namedAs: 0)  // standard input: not what it holds
        let frame = try client.call(.getSegments(GetSegmentsRequest(sessionID: 3)))
        #expect(frame.message.errorCodeForTests == .internal)
        #expect(frame.fds.isEmpty)
        #expect(eventually { watched.isClosed }, "the reply's descriptor was closed")
        #expect(try client.call(.getSegments(GetSegmentsRequest(sessionID: 4))).message.errorCodeForTests == .unsupported)
    }
}
