import Foundation
import Glibc
import LoradWire
import Testing

/// `loractl import` of a FIFO: refused at once (exit 65, one line naming the path and its
/// kind), never waiting for a writer, and nothing is sent to the daemon.
@Suite struct ImportFIFOTests {
    @Test func importOfAFIFOIsRefusedWithoutWaiting() throws {
        let cli = LoractlProcessTests()
        let folder = try cli.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("pytorch_lora_weights.safetensors").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let daemon = try ScriptedDaemon { _, _ in (.error(ErrorPayload(code: .internal, message: "unexpected")), []) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: LoractlProcessTests.binary)
        process.arguments = ["import", fifo, "--name", "piped", "--socket", daemon.path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        if exited.wait(timeout: .now() + 20) == .timedOut {
            Issue.record("loractl import of a FIFO still waits after 20 s")
            kill(process.processIdentifier, SIGKILL)  // SIGTERM may be blocked in the child
            exited.wait()
        }
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 65)
        #expect(stderr == "loractl: \(fifo) is a FIFO or pipe, not a regular file; lorad reads the adapter's files with pread, so save it to a file and import that\n")
        #expect(daemon.finish().isEmpty)
    }
}
