import Foundation
import Glibc
import LoradDaemon
import LoradServer
import LoradServerTestSupport
import LoradSystem
import LoradWire
import Testing

/// Every request kind, answered and failed, through a real server in front of the real core:
/// once the caches are warm, a round of requests leaves exactly as many descriptors open in
/// the process (server and client together) as before it. Descriptors that came with a
/// request are closed after it, on every path; those sent with a reply are closed by the
/// client here.
@Suite(.serialized) struct RequestDescriptorLeakTests {
    /// What one round sends and how the replies are judged.
    struct Round {
        let client: TestClient
        let scratch: ScratchFolder
        var failures: [String] = []

        /// Sends `message` (with the descriptors its fields name), waits for the reply,
        /// closes the descriptors the reply carried, and records a reply of the wrong kind.
        mutating func call(_ message: ClientMessage, expect: ErrorCode? = nil, sent: [FileDescriptor] = []) throws -> ServerMessage {
            defer { for fd in sent { try? fd.close() } }
            let frame = try client.call(message)
            for fd in frame.fds { Glibc.close(fd) }
            let code = frame.message.errorCodeForTests
            if code != expect { failures.append("\(message.opcode): expected \(String(describing: expect)), got \(frame.message)") }
            return frame.message
        }

        func file(_ name: String, _ mode: FileDescriptor.AccessMode) throws -> FileDescriptor {
            try FileDescriptor.open(scratch.path + "/" + name, mode, options: [.create, .truncate], permissions: 0o600)
        }
    }

    static func round(_ client: TestClient, scratch: ScratchFolder) throws -> [String] {
        var round = Round(client: client, scratch: scratch)
        _ = try round.call(.ping(PingRequest(token: 1)))
        _ = try round.call(.cancel(CancelRequest(targetRequestID: 999_999)))
        _ = try round.call(.listBases(ListBasesRequest()))

        // IMPORT: answered, then refused (a character device is not a regular file).
        let folder = CoreFixtures.path("diffusers_plain")
        var files: [ImportFile] = []
        var sent: [FileDescriptor] = []
        for name in try DurableFile.listDirectory(folder) {
            let fd = try FileDescriptor.open(folder + "/" + name, .readOnly)
            sent.append(fd)
            files.append(ImportFile(fileName: name, fd: fd.rawValue))
        }
        _ = try round.call(
            .importAdapter(ImportRequest(name: "leak", files: files, alpha: nil, base: nil, description: "", tags: [], newVersion: true)),
            sent: sent)
        let device = try FileDescriptor.open("/dev/null", .readOnly)
        _ = try round.call(
            .importAdapter(ImportRequest(
                name: "leak", files: [ImportFile(fileName: "pytorch_lora_weights.safetensors", fd: device.rawValue)], alpha: nil,
                base: nil, description: "", tags: [], newVersion: true)),
            expect: .invalidArgument, sent: [device])

        _ = try round.call(.listAdapters(ListAdaptersRequest(limit: 10)))
        _ = try round.call(.showAdapter(ShowAdapterRequest(adapter: AdapterRef(name: "leak"))))
        _ = try round.call(.showAdapter(ShowAdapterRequest(adapter: AdapterRef(name: "nope"))), expect: .notFound)

        // EXPORT: to a file, then to a descriptor open for reading only.
        let exported = try round.file("export.safetensors", .writeOnly)
        _ = try round.call(.exportAdapter(ExportRequest(adapter: AdapterRef(name: "leak"), output: exported.rawValue)), sent: [exported])
        let readOnly = try FileDescriptor.open("/dev/null", .readOnly)
        _ = try round.call(
            .exportAdapter(ExportRequest(adapter: AdapterRef(name: "leak"), output: readOnly.rawValue)), expect: .invalidArgument,
            sent: [readOnly])

        // Sessions in both modes: every reply carries segment descriptors.
        for mode in [SessionMode.factors, .fused] {
            guard case .openSession(let session) = try round.call(.openSession(OpenSessionRequest(base: "tiny", mode: mode))) else {
                round.failures.append("OPEN_SESSION failed")
                continue
            }
            let id = session.sessionID
            _ = try round.call(.attach(AttachRequest(sessionID: id, adapter: AdapterRef(name: "leak"), weight: 0.5)))
            _ = try round.call(.attach(AttachRequest(sessionID: id, adapter: AdapterRef(name: "nope"), weight: 0.5)), expect: .notFound)
            _ = try round.call(.switchAdapters(SwitchRequest(sessionID: id, adapters: [weighted("leak", 0.25)])))
            _ = try round.call(.getSegments(GetSegmentsRequest(sessionID: id)))
            _ = try round.call(.detach(DetachRequest(sessionID: id, name: "leak")))
            _ = try round.call(.detach(DetachRequest(sessionID: id, name: "leak")), expect: .notFound)
            _ = try round.call(.closeSession(CloseSessionRequest(sessionID: id)))
        }
        _ = try round.call(.getSegments(GetSegmentsRequest(sessionID: 424_242)), expect: .notFound)
        _ = try round.call(.openSession(OpenSessionRequest(base: "nope", mode: .fused)), expect: .notFound)

        // MERGE: to a file, then naming a base that does not exist.
        let merged = try round.file("merged.safetensors", .writeOnly)
        _ = try round.call(.merge(MergeRequest(base: "tiny", adapters: [weighted("leak", 1)], output: merged.rawValue)), sent: [merged])
        let unused = try round.file("unused.safetensors", .writeOnly)
        _ = try round.call(
            .merge(MergeRequest(base: "nope", adapters: [weighted("leak", 1)], output: unused.rawValue)), expect: .notFound,
            sent: [unused])

        _ = try round.call(.removeAdapter(RemoveRequest(adapter: AdapterRef(name: "nope"), force: false)), expect: .notFound)
        _ = try round.call(.stats(StatsRequest()))
        _ = try round.call(.verify(VerifyRequest()))
        _ = try round.call(.gc(GCRequest(dryRun: true)))
        _ = try round.call(.evict(EvictRequest()))
        return round.failures
    }

    /// A core with the tiny base loaded, behind a real server.
    static func serve(scratch: ScratchFolder) async throws -> ServerHarness<DaemonCore> {
        let core = try DaemonCore(
            storeRoot: scratch.path + "/store", options: CoreOptions(memoryBudget: 64 << 20, threads: 2, sessionsPerUID: 8))
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            core.loadBases([("tiny", CoreFixtures.basePath)]) { _, _ in continuation.resume() }
        }
        return try ServerHarness(handler: core)
    }

    @Test func everyRequestKindLeavesTheDescriptorCountAsItWas() async throws {
        let scratch = try ScratchFolder()
        let harness = try await Self.serve(scratch: scratch)
        defer { harness.cleanup() }
        let client = try harness.readyClient()
        defer { client.close() }

        #expect(try Self.round(client, scratch: scratch) == [])
        let baseline = openDescriptorCount()
        for _ in 0..<3 {
            #expect(try Self.round(client, scratch: scratch) == [])
            // A frame the server refuses (a second HELLO is fatal) with a descriptor attached.
            let other = try harness.readyClient()
            let stray = try FileDescriptor.open("/dev/null", .readOnly)
            try? other.send(try helloFrame(id: 2).bytes, fds: [stray.rawValue])
            try stray.close()
            #expect(try other.receive()?.message.errorCodeForTests == .protocolViolation)
            other.close()
            #expect(eventually { openDescriptorCount() == baseline }, "open descriptors: \(openDescriptorCount()), before: \(baseline)")
        }
    }

    /// Sends `bytes` with `count` descriptors attached, each the write end of a new pipe,
    /// then closes the test's copies: from then on only the server holds them, and
    /// `watched` tells when it has closed them.
    static func sendWatched(
        _ bytes: [UInt8], on client: TestClient, count: Int = 1, watched: inout [WatchedDescriptor]
    ) throws {
        let pipes = try (0..<count).map { _ in try WatchedDescriptor() }
        watched += pipes
        defer { for pipe in pipes { try? pipe.writeEnd.close() } }
        try client.send(bytes, fds: pipes.map(\.writeEnd.rawValue))
    }

    /// Reads until the connection ends; returns the codes of the ERROR and FATAL frames seen.
    static func drain(_ client: TestClient) throws -> [ErrorCode] {
        var codes: [ErrorCode] = []
        while let frame = try client.receive() {
            for fd in frame.fds { Glibc.close(fd) }
            if let code = frame.message.errorCodeForTests { codes.append(code) }
        }
        return codes
    }

    /// Frames whose descriptors the server refuses, fails with FATAL, or never sees whole, one
    /// connection each (but the first); returns what went otherwise than expected. Each
    /// descriptor sent is a watched pipe end (added to `watched`) but for the IMPORT's files,
    /// which are in `importFolder`.
    static func rejectedFrames(
        _ harness: ServerHarness<DaemonCore>, importFolder: String, watched: inout [WatchedDescriptor]
    ) throws -> [String] {
        var failures: [String] = []
        func expect(_ codes: [ErrorCode], _ wanted: ErrorCode, _ what: String) {
            if !codes.contains(wanted) { failures.append("\(what): expected \(wanted), got \(codes)") }
        }
        let export = try ClientMessage.exportAdapter(ExportRequest(adapter: AdapterRef(name: "x"), output: 0)).encode(requestID: 9)

        // Refused, the connection goes on: an unknown request opcode carrying a descriptor.
        let refused = try harness.readyClient()
        try sendWatched(rawFrame(opcode: 0x0099, requestID: 5, payload: [1, 2, 3, 4], fdCount: 1), on: refused, watched: &watched)
        expect([try refused.expectFrame().message.errorCodeForTests].compactMap { $0 }, .unknownOpcode, "unknown opcode")
        if try refused.call(.ping(PingRequest(token: 3))).message != .ping(PingReply(token: 3)) { failures.append("no PING after the refusal") }
        refused.close()

        // FATAL: a request before HELLO; a payload that names fewer descriptors than came; a
        // whole frame announcing none that brings one; a header announcing two with one; a
        // frame over the size limit.
        let early = try harness.client()
        try sendWatched(export.bytes, on: early, watched: &watched)
        expect(try drain(early), .handshakeRequired, "request before HELLO")
        early.close()
        var unnamed = try pingFrame(id: 2).bytes
        unnamed[8] = 1
        var missing = export.bytes
        missing[8] = 2
        let cases: [(bytes: [UInt8], count: Int, code: ErrorCode, what: String)] = [
            (unnamed, 1, .fdCountMismatch, "a descriptor the payload does not name"),
            (try pingFrame(id: 2).bytes, 1, .fdCountMismatch, "a descriptor no frame announces"),
            (missing, 1, .fdCountMismatch, "fewer descriptors than announced"),
            (rawFrame(opcode: Opcode.ping.rawValue, requestID: 2, length: 1 << 20), 2, .frameTooLarge, "an oversized frame"),
        ]
        for (bytes, count, code, what) in cases {
            let client = try harness.readyClient()
            try sendWatched(bytes, on: client, count: count, watched: &watched)
            expect(try drain(client), code, what)
            client.close()
        }

        // FATAL while a request that brought descriptors runs on a worker: IMPORT, then a
        // second HELLO. The worker still closes them when it is done.
        let busy = try harness.readyClient()
        var files: [ImportFile] = []
        var sent: [FileDescriptor] = []
        defer { for fd in sent { try? fd.close() } }
        for name in try DurableFile.listDirectory(importFolder) {
            let fd = try FileDescriptor.open(importFolder + "/" + name, .readOnly)
            sent.append(fd)
            files.append(ImportFile(fileName: name, fd: fd.rawValue))
        }
        try busy.send(.importAdapter(ImportRequest(name: "busy", files: files, alpha: nil, base: nil, description: "", tags: [], newVersion: true)))
        try busy.send(try helloFrame(id: 77).bytes)
        expect(try drain(busy), .protocolViolation, "a second HELLO behind an IMPORT")
        busy.close()

        // Never whole: a frame cut short after the bytes that carried its descriptor, then
        // the client hangs up.
        let cut = try harness.readyClient()
        try sendWatched(Array(export.bytes.prefix(20)), on: cut, watched: &watched)
        cut.close()
        return failures
    }

    /// Process-wide counts move with whatever other suites run meanwhile, so this case
    /// watches the very descriptors it sends: pipe ends (closed everywhere once the read end
    /// hangs up) and IMPORT files in a folder of its own.
    @Test func descriptorsOfRejectedAndUnfinishedFramesAreClosed() async throws {
        let scratch = try ScratchFolder()
        let harness = try await Self.serve(scratch: scratch)
        defer { harness.cleanup() }
        let importFolder = scratch.path + "/import"
        try FileManager.default.copyItem(atPath: CoreFixtures.path("diffusers_plain"), toPath: importFolder)
        for _ in 0..<3 {
            var watched: [WatchedDescriptor] = []
            #expect(try Self.rejectedFrames(harness, importFolder: importFolder, watched: &watched) == [])
            #expect(watched.count == 8)
            #expect(
                eventually { watched.allSatisfy(\.isClosed) },
                "\(watched.filter { !$0.isClosed }.count) of the \(watched.count) descriptors sent are still open")
            #expect(eventually { openDescriptorCount(under: importFolder) == 0 }, "IMPORT files still open: \(openDescriptorCount(under: importFolder))")
        }
    }
}
