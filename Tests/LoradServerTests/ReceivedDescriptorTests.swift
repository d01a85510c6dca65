import Glibc
import LoradServer
import LoradServerTestSupport
import LoradSystem
import LoradWire
import Testing

extension WatchedDescriptor {
    /// The write end, owned by a new ``ReceivedDescriptor`` as the server wraps what `recvmsg`
    /// returns.
    func received() -> ReceivedDescriptor { ReceivedDescriptor(receiving: writeEnd) }
}

@Suite struct ReceivedDescriptorTests {
    let t0 = ContinuousClock.now

    /// A connection that has finished HELLO, holding descriptors as the server does.
    func ready() throws -> ConnectionState<ReceivedDescriptor> {
        var state = ConnectionState<ReceivedDescriptor>(settings: ConnectionSettings(), now: t0)
        _ = state.receive(try helloFrame().bytes, now: t0)
        #expect(state.phase == .ready(.current))
        return state
    }

    /// Performs the `closeDescriptors` actions as the server loop does.
    func closeRejected(_ actions: [ConnectionAction<ReceivedDescriptor>]) {
        for case .closeDescriptors(let fds) in actions {
            for fd in fds { fd.close() }
        }
    }

    @Test func closeClosesOnceAndTakeHandsTheDescriptorOn() throws {
        let watched = try WatchedDescriptor()
        let box = watched.received()
        #expect(box.isHeld && box.descriptorNumber == watched.writeEnd.rawValue)
        guard let owned = box.take() else {
            Issue.record("take() gave nothing")
            return
        }
        #expect(!box.isHeld)
        box.close()  // nothing left to close: the new owner keeps it open
        #expect(!watched.isClosed)
        try owned.close()
        #expect(watched.isClosed)
    }

    @Test func aDescriptorNobodyTookClosesWithItsLastReference() throws {
        let watched = try WatchedDescriptor()
        do {
            let box = watched.received()
            #expect(box.isHeld)
        }
        #expect(watched.isClosed)
    }

    @Test func dispatchedDescriptorsAreOwnedByTheHandlerAlone() throws {
        let watched = try WatchedDescriptor()
        var state = try ready()
        let export = try ClientMessage.exportAdapter(ExportRequest(adapter: AdapterRef(name: "a"), output: 0)).encode(requestID: 2)
        let actions = state.receive(export.bytes, fds: [watched.received()], now: t0)
        var handed: OwnedDescriptors?
        for case .dispatch(_, _, let fds) in actions { handed = OwnedDescriptors(taking: fds) }
        let descriptors = try #require(handed)
        #expect(descriptors.descriptors == [watched.writeEnd])
        _ = state.abandon()
        #expect(!watched.isClosed, "the handler owns it now; the connection going does not close it")
        descriptors.close()
        #expect(watched.isClosed)
    }

    @Test func aFatalFramesDescriptorsAreClosed() throws {
        let watched = try WatchedDescriptor()
        var state = try ready()
        // A second HELLO is FATAL `protocol_violation`; it carries a descriptor.
        var hello = try helloFrame(id: 2).bytes
        hello[8] = 1
        let actions = state.receive(hello, fds: [watched.received()], now: t0)
        #expect(closeReason(actions) != nil)
        #expect(closedDescriptors(actions) == [watched.writeEnd.rawValue])
        closeRejected(actions)
        #expect(watched.isClosed)
    }

    @Test func anUnnamedDescriptorIsClosedWithTheMismatch() throws {
        let watched = try WatchedDescriptor()
        var state = try ready()
        var ping = try pingFrame(id: 2).bytes
        ping[8] = 1  // fd_count 1, but PING names no descriptor: FATAL fd_count_mismatch
        let actions = state.receive(ping, fds: [watched.received()], now: t0)
        #expect(try sentFrames(actions).first.flatMap { errorCode($0.message) } == .fdCountMismatch)
        closeRejected(actions)
        #expect(watched.isClosed)
    }

    @Test func aRefusedFramesDescriptorsAreClosedAndTheConnectionGoesOn() throws {
        let watched = try WatchedDescriptor()
        var state = try ready()
        let bytes = rawFrame(opcode: 0x0099, requestID: 6, payload: [1, 2, 3, 4], fdCount: 1)
        let actions = state.receive(bytes, fds: [watched.received()], now: t0)
        #expect(try sentFrames(actions).first.flatMap { errorCode($0.message) } == .unknownOpcode)
        #expect(closeReason(actions) == nil)
        closeRejected(actions)
        #expect(watched.isClosed)
    }

    @Test func descriptorsOfATruncatedControlMessageAreClosed() throws {
        let watched = try WatchedDescriptor()
        var state = try ready()
        let actions = state.controlMessageTruncated(fds: [watched.received()])
        #expect(try sentFrames(actions).first.flatMap { errorCode($0.message) } == .fdCountMismatch)
        closeRejected(actions)
        #expect(watched.isClosed)
    }

    @Test func aPartialFramesDescriptorsAreClosedWhenThePeerHangsUp() throws {
        let watched = try WatchedDescriptor()
        var state = try ready()
        let export = try ClientMessage.exportAdapter(ExportRequest(adapter: AdapterRef(name: "a"), output: 0)).encode(requestID: 2)
        #expect(state.receive(export.bytes.prefix(20), fds: [watched.received()], now: t0).isEmpty)
        #expect(!watched.isClosed, "queued with the partial frame")
        let actions = state.endOfStream()
        #expect(closeReason(actions) == .endOfStream(midFrame: true))
        closeRejected(actions)
        #expect(watched.isClosed)
    }

    @Test func descriptorsStillQueuedCloseWithTheAbandonedConnection() throws {
        let watched = try WatchedDescriptor()
        do {
            var state = try ready()
            let export = try ClientMessage.exportAdapter(ExportRequest(adapter: AdapterRef(name: "a"), output: 0)).encode(requestID: 2)
            #expect(state.receive(export.bytes.prefix(20), fds: [watched.received()], now: t0).isEmpty)
            #expect(state.abandon().map(\.descriptorNumber) == [watched.writeEnd.rawValue])
        }
        #expect(watched.isClosed, "dropping what abandon() returned closed it")
    }
}
