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

    @Test func everyRequestKindLeavesTheDescriptorCountAsItWas() async throws {
        let scratch = try ScratchFolder()
        let core = try DaemonCore(
            storeRoot: scratch.path + "/store", options: CoreOptions(memoryBudget: 64 << 20, threads: 2, sessionsPerUID: 8))
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            core.loadBases([("tiny", CoreFixtures.basePath)]) { _, _ in continuation.resume() }
        }
        let harness = try ServerHarness(handler: core)
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
}
