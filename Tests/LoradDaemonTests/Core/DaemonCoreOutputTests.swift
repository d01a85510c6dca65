import Dispatch
import Glibc
import LoradServer
import LoradSystem
import LoradWire
import Synchronization
import Testing

@testable import LoradDaemon

/// EXPORT and MERGE write into a descriptor the client controls: no worker may wait on it
/// without bound (a pipe nobody reads ends in `output_stalled`; CANCEL and a closed
/// connection free the worker at once), one user's stalled requests leave workers for the
/// others, and pipes the client made non-blocking or reads slowly still get every byte.
@Suite struct DaemonCoreOutputTests {
    /// A non-admin user on `connection` who negotiated protocol 1.2.
    static func user(_ connection: UInt64, uid: UInt32 = 1000) -> PeerContext {
        var peer = PeerContext(connectionID: connection, pid: 300, uid: uid, gid: uid, isAdmin: false)
        peer.protocolVersion = .current
        return peer
    }

    /// A harness with the fixture base (about 330 KB, five pipes' worth) and `plain`.
    private func prepared(threads: Int = 1, stall: Duration = .seconds(60)) async throws -> CoreHarness {
        let harness = try CoreHarness(threads: threads, outputStallTimeout: stall)
        try await harness.loadFixtureBase()
        _ = try await harness.importFixture("diffusers_plain", as: "plain")
        return harness
    }

    private func mergeRequest(into output: FileDescriptor) -> ClientMessage {
        .merge(MergeRequest(base: "tiny", adapters: [weighted("plain", 0.7)], output: output.rawValue))
    }

    /// A pipe this test never reads: the read end and a copy of the write end (to see when
    /// the pipe is full) stay here, closed when it goes; the write end goes to lorad.
    private final class UnreadPipe {
        let write: FileDescriptor
        private let read: FileDescriptor
        private let probe: FileDescriptor
        private var readClosed = false

        init() throws {
            (read, write) = try FileDescriptor.pipe()
            probe = try write.duplicate()
        }

        /// Waits (at most 20 s) until the pipe has no free slot: a worker is then blocked
        /// on it.
        func waitUntilFull() async throws {
            let deadline = ContinuousClock.now + .seconds(20)
            while try probe.waitUntilWritable(timeout: .zero) {
                guard ContinuousClock.now < deadline else {
                    Issue.record("the pipe never filled")
                    return
                }
                try await Task.sleep(for: .milliseconds(5))
            }
        }

        /// Closes the read end: a write blocked on the pipe fails with EPIPE.
        func closeReadEnd() throws {
            readClosed = true
            try read.close()
        }

        deinit {
            if !readClosed { try? read.close() }
            try? probe.close()
        }
    }

    /// Sends a MERGE into a new unread pipe as `peer` and waits until it is blocked there.
    private func blockedMerge(_ harness: CoreHarness, id: UInt32, peer: PeerContext) async throws -> (PendingReply, UnreadPipe) {
        let pipe = try UnreadPipe()
        let merge = harness.send(mergeRequest(into: pipe.write), id: id, fds: [pipe.write], peer: peer)
        try await pipe.waitUntilFull()
        return (merge, pipe)
    }

    /// True when a worker request (STATS) from another user is answered within 10 s.
    private func aWorkerIsFree(_ harness: CoreHarness, id: UInt32) async -> Bool {
        let stats = harness.send(.stats(StatsRequest()), id: id, peer: Self.user(99, uid: 2000))
        guard let reply = await stats.wait(upTo: .seconds(10)) else { return false }
        if case .stats = reply.message { return true }
        return false
    }

    /// What `request` writes into a regular file (the reference bytes).
    private func bytesWrittenToAFile(_ harness: CoreHarness, _ name: String, _ request: (FileDescriptor) -> ClientMessage) async throws -> [UInt8] {
        let path = harness.scratchPath(name)
        let file = try FileDescriptor.open(path, .writeOnly, options: .exclusiveCreate)
        let reply = await harness.call(request(file), fds: [file])
        #expect(reply.errorCode == nil)
        let reader = try FileDescriptor.open(path, .readOnly)
        defer { try? reader.close() }
        return try reader.readBytes(fromAbsoluteOffset: 0, count: try reader.size())
    }

    /// Reads the pipe to its end on a thread of its own, `chunk` bytes at a time with `pause`
    /// after each read; returns everything read.
    private func drain(_ reader: FileDescriptor, chunk: Int, pause: Duration) async -> [UInt8] {
        await withCheckedContinuation { continuation in
            DispatchQueue(label: "output-test-reader").async {
                var bytes: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: chunk)
                while true {
                    let count = (try? buffer.withUnsafeMutableBytes { try reader.read(into: $0) }) ?? 0
                    if count == 0 { break }
                    bytes += buffer.prefix(count)
                    if pause > .zero { usleep(UInt32(pause.whole(.microseconds))) }
                }
                continuation.resume(returning: bytes)
            }
        }
    }

    @Test func aMergeIntoAPipeNobodyReadsEndsWithOutputStalledAndFreesItsWorker() async throws {
        let harness = try await prepared(stall: .milliseconds(300))
        let pipe = try FileDescriptor.pipe()
        defer { try? pipe.read.close() }
        let started = ContinuousClock.now
        let merge = harness.send(mergeRequest(into: pipe.write), id: 10, fds: [pipe.write], peer: Self.user(5))
        let reply = await merge.wait(upTo: .seconds(20))
        #expect(reply?.errorCode == .outputStalled)
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        if case .error(let payload) = reply?.message {
            #expect(payload.message.contains("took no byte for 300ms"), "\(payload.message)")
            #expect(payload.message.contains("limits.output_stall_timeout"))
        }
        // The pool's only worker is free again.
        #expect(await aWorkerIsFree(harness, id: 11))

        // A 1.1 peer gets the same failure as invalid_argument (1.1 has no output_stalled).
        let old = try FileDescriptor.pipe()
        defer { try? old.read.close() }
        var peer = Self.user(6)
        peer.protocolVersion = .baseOrigin
        let oldMerge = harness.send(mergeRequest(into: old.write), id: 12, fds: [old.write], peer: peer)
        #expect(await oldMerge.wait(upTo: .seconds(20))?.errorCode == .invalidArgument)
    }

    @Test func cancelFreesAMergeBlockedOnItsOutputAtOnce() async throws {
        let harness = try await prepared()
        let peer = Self.user(5)
        let (merge, pipe) = try await blockedMerge(harness, id: 77, peer: peer)
        let cancelled = ContinuousClock.now
        guard case .cancel(let cancel) = await harness.call(.cancel(CancelRequest(targetRequestID: 77)), peer: peer).message else {
            Issue.record("CANCEL failed")
            return
        }
        #expect(cancel.wasPending)
        #expect(await merge.wait(upTo: .seconds(10))?.errorCode == .cancelled)
        #expect(ContinuousClock.now - cancelled < .seconds(2), "the 60 s stall timeout must not be what ended it")
        #expect(await aWorkerIsFree(harness, id: 78))
        withExtendedLifetime(pipe) {}
    }

    @Test func aClosedConnectionFreesAMergeBlockedOnItsOutput() async throws {
        let harness = try await prepared()
        let peer = Self.user(5)
        let (merge, pipe) = try await blockedMerge(harness, id: 3, peer: peer)
        let closed = ContinuousClock.now
        harness.core.connectionClosed(peer.connectionID)
        #expect(await merge.wait(upTo: .seconds(10))?.errorCode == .cancelled)
        #expect(ContinuousClock.now - closed < .seconds(2))
        #expect(await aWorkerIsFree(harness, id: 4))
        withExtendedLifetime(pipe) {}
    }

    @Test func stalledMergesOfOneUserLeaveAWorkerForAnotherUsersColdSwitch() async throws {
        let threads = 2
        let harness = try await prepared(threads: threads)
        #expect(harness.core.pool.ownerCap == threads - 1)
        // uid 1000's first merge blocks on its pipe; its second waits for the cap.
        let (first, firstPipe) = try await blockedMerge(harness, id: 20, peer: Self.user(5))
        let secondPipe = try UnreadPipe()
        let second = harness.send(mergeRequest(into: secondPipe.write), id: 21, fds: [secondPipe.write], peer: Self.user(6))

        // Another user's cold switch (decompress and fuse an overlay) gets a worker.
        let other = Self.user(9, uid: 1001)
        let session = try await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused)), peer: other).session()
        let change = harness.send(
            .switchAdapters(SwitchRequest(sessionID: session.sessionID, adapters: [weighted("plain", 0.5)])), id: 30, peer: other)
        let switched = await change.wait(upTo: .seconds(20))
        #expect(switched?.errorCode == nil && switched != nil)
        #expect(try switched?.session().generation == 1)

        // The merge over the cap waits without a worker, and CANCEL answers it at once.
        #expect(second.reply == nil)
        _ = await harness.call(.cancel(CancelRequest(targetRequestID: 21)), peer: Self.user(6))
        #expect(await second.wait(upTo: .seconds(5))?.errorCode == .cancelled)

        // Closing the unread pipe ends the first merge (EPIPE).
        try firstPipe.closeReadEnd()
        #expect(await first.wait(upTo: .seconds(10))?.errorCode == .invalidArgument)
    }

    @Test func aMergeIntoANonBlockingPipeWritesEveryByte() async throws {
        let harness = try await prepared(stall: .seconds(20))
        let expected = try await bytesWrittenToAFile(harness, "merged.safetensors", mergeRequest(into:))
        let pipe = try FileDescriptor.pipe()
        defer { try? pipe.read.close() }
        // The client's choice: lorad must cope with EAGAIN, not fail with `internal`.
        try pipe.write.setNonBlocking(true)
        async let read = drain(pipe.read, chunk: 16 << 10, pause: .milliseconds(1))
        let reply = await harness.call(mergeRequest(into: pipe.write), fds: [pipe.write], peer: Self.user(5))
        guard case .merge(let merged) = reply.message else {
            Issue.record("merge failed: \(reply.message)")
            return
        }
        #expect(merged.bytesWritten == UInt64(expected.count))
        let bytes = await read
        #expect(bytes.count == expected.count)
        #expect(bytes == expected)
    }

    @Test func anExportIntoAPipeReadSlowlyIsByteIdentical() async throws {
        let harness = try await prepared(stall: .seconds(20))
        let export = { (output: FileDescriptor) in ClientMessage.exportAdapter(ExportRequest(adapter: AdapterRef(name: "plain"), output: output.rawValue)) }
        let expected = try await bytesWrittenToAFile(harness, "exported.safetensors", export)
        let pipe = try FileDescriptor.pipe()
        defer { try? pipe.read.close() }
        // One page of pipe, read 512 bytes at a time: the export waits on the reader again
        // and again, never for the stall timeout.
        let fSetPipeSize: Int32 = 1031  // F_SETPIPE_SZ
        #expect(fcntl(pipe.write.rawValue, fSetPipeSize, 4096) >= 4096)
        #expect(expected.count > 4 * 4096)
        async let read = drain(pipe.read, chunk: 512, pause: .milliseconds(2))
        let reply = await harness.call(export(pipe.write), fds: [pipe.write], peer: Self.user(5))
        guard case .exportAdapter(let exported) = reply.message else {
            Issue.record("export failed: \(reply.message)")
            return
        }
        #expect(exported.bytesWritten == UInt64(expected.count))
        let bytes = await read
        #expect(bytes == expected)
    }

    @Test func outputsLoradCannotBoundAreRefusedBeforeAnythingIsComputed() async throws {
        let harness = try await prepared()
        // An eventfd is open for writing but is no file, pipe, socket or device.
        let event = try EventFD()
        defer { try? event.fileDescriptor.close() }
        let other = try event.fileDescriptor.duplicate()
        let reply = await harness.call(mergeRequest(into: other), fds: [other], peer: Self.user(5))
        #expect(reply.errorCode == .invalidArgument)
        if case .error(let payload) = reply.message { #expect(payload.message.contains("a file of unknown type"), "\(payload.message)") }
        // A character device is fine.
        let null = try FileDescriptor.open("/dev/null", .writeOnly)
        guard case .merge = await harness.call(mergeRequest(into: null), fds: [null], peer: Self.user(5)).message else {
            Issue.record("merge into /dev/null failed")
            return
        }
    }

    /// What a reload applies: the stall timeout for outputs that start afterwards, and the
    /// per-uid cap at once.
    @Test func updatedLimitsApplyToTheNextRequests() async throws {
        let harness = try await prepared(threads: 4)
        #expect(harness.core.pool.ownerCap == 3 && harness.core.outputStallTimeout == .seconds(60))
        harness.core.updateLimits(outputStallTimeout: .milliseconds(200), workersPerUID: 2)
        #expect(harness.core.pool.ownerCap == 2)
        let pipe = try FileDescriptor.pipe()
        defer { try? pipe.read.close() }
        let merge = harness.send(mergeRequest(into: pipe.write), id: 40, fds: [pipe.write], peer: Self.user(5))
        #expect(await merge.wait(upTo: .seconds(20))?.errorCode == .outputStalled)
        harness.core.updateLimits(outputStallTimeout: .seconds(60), workersPerUID: 0)
        #expect(harness.core.pool.ownerCap == 3)
    }
}
