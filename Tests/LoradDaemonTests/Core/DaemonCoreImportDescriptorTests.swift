import Glibc
import LoradServer
import LoradSystem
import LoradWire
import Synchronization
import Testing

@testable import LoradDaemon

/// IMPORT with a pipe or FIFO descriptor (weights or config) is refused at once with
/// `invalid_argument` naming the kind, never read from: a worker must not wait on a
/// client's pipe.
@Suite struct DaemonCoreImportDescriptorTests {
    /// The reply to `request`, or nil when none came within `seconds`.
    func reply(_ harness: CoreHarness, _ request: ClientMessage, fds: [FileDescriptor], within seconds: Int) async -> HandlerReply? {
        let box = ReplyBox()
        Task { let reply = await harness.call(request, fds: fds); box.reply.withLock { $0 = reply } }
        for _ in 0..<(seconds * 50) {
            if let reply = box.reply.withLock({ $0 }) { return reply }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    @Test func pipesAndFIFOsAreRefusedWithoutBeingRead() async throws {
        let harness = try CoreHarness()
        try await harness.loadFixtureBase()
        let fifo = harness.scratchPath("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let weights = CoreFixtures.path("peft_rslora/adapter_model.safetensors")
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[1]) }  // kept open: a read of the other end would wait for ever
        let cases: [(files: [(String, FileDescriptor)], name: String)] = [
            ([("pytorch_lora_weights.safetensors", FileDescriptor(rawValue: ends[0]))], "pytorch_lora_weights.safetensors"),
            ([("pytorch_lora_weights.safetensors", try FileDescriptor.open(fifo, .readWrite))], "pytorch_lora_weights.safetensors"),
            ([("adapter_config.json", try FileDescriptor.open(fifo, .readWrite)),
              ("adapter_model.safetensors", try FileDescriptor.open(weights, .readOnly))], "adapter_config.json"),
        ]
        for (files, name) in cases {
            let request = ImportRequest(
                name: "piped", files: files.map { ImportFile(fileName: $0.0, fd: $0.1.rawValue) },
                alpha: nil, base: nil, description: "", tags: [], newVersion: false)
            guard let answer = await reply(harness, .importAdapter(request), fds: files.map(\.1), within: 10) else {
                Issue.record("IMPORT of a pipe as \(name) got no reply within 10 s")
                continue
            }
            guard case .error(let payload) = answer.message else {
                Issue.record("IMPORT of a pipe as \(name) was not refused: \(answer.message)")
                continue
            }
            #expect(payload.code == .invalidArgument)
            #expect(payload.message.hasPrefix("the descriptor of \(name) is a FIFO or pipe, not a regular file (a descriptor of the wrong kind)"), "\(payload.message)")
        }
    }
}

/// Where a Task leaves the reply it got.
private final class ReplyBox: Sendable {
    let reply = Mutex<HandlerReply?>(nil)
}
