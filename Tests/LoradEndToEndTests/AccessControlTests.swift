import Foundation
import LoradClient
import LoradSystem
import LoradWire
import Testing

extension EndToEndTests {
    /// Acceptance 3, credentials: the allow-list decides who may talk to the daemon, and
    /// only admins may change the store. Clients run as uid 65534 (`nobody`) through
    /// `setpriv`; the tests run as root.
    @Suite struct AccessControlTests {
        /// The reply lines of the Python client (`OPCODE CODE NAME`), without notes such as
        /// a failed send to a peer that already closed.
        func replies(_ outcome: ProcessRunner.Outcome) -> [String] {
            outcome.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("0x") || $0 == "eof" }
        }

        /// A copy of the fixture adapter folder that uid 65534 can read (0755 folder, 0644 file).
        func readableCopy(of folder: String, in temporary: TemporaryFolder) throws -> String {
            let copy = temporary.file(folder)
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy)
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestPaths.adapterFile(folder))))
            try DurableFile.writeAtomically(to: copy + "/pytorch_lora_weights.safetensors", bytes: bytes, permissions: 0o644)
            return copy
        }

        @Test func aUidOutsideTheAllowListIsRefusedWithPermissionDenied() throws {
            try #require(getuid() == 0, "the access tests switch to uid 65534 and need root")
            // The socket admits everyone (0666); the default allow-list is root and the daemon's uid.
            let daemon = try DaemonProcess(arguments: ["--socket-mode", "0666"])
            let admin = try daemon.waitUntilReady()
            #expect(try FileStatus(path: daemon.socketPath).permissions == 0o666)

            let hello = try GoldenVector("hello_request").bytes.hex
            let outcome = try ProcessRunner.runPythonClientAsForeignUser(
                socket: daemon.socketPath, frames: [hello], in: daemon.folder)
            #expect(outcome.status == 0, "\(outcome)")
            #expect(replies(outcome) == ["0xffff 104 permission_denied"], "\(outcome)")

            // loractl, refused the same way, says so and exits 77 (EX_NOPERM).
            let status = try ProcessRunner.runAsForeignUser(
                [TestPaths.binary("loractl"), "status", "--socket", daemon.socketPath], in: daemon.folder)
            #expect(status.status == 77, "\(status)")
            #expect(status.stderr.contains("permission_denied") && status.stderr.contains("uid 65534"), "\(status)")
            #expect(!status.stderr.contains("broke the protocol"), "\(status)")

            // Root is still served.
            #expect(try admin.ping(token: 3) == 3)
            admin.close()
            #expect(try daemon.stop() == 0)
        }

        @Test func anAllowedNonAdminCannotImport() throws {
            try #require(getuid() == 0, "the access tests switch to uid 65534 and need root")
            let daemon = try DaemonProcess(
                config: "[access]\nallow_uids = [\(ProcessRunner.foreignUID)]\n", arguments: ["--socket-mode", "0666"])
            let admin = try daemon.waitUntilReady()
            let plain = try readableCopy(of: "diffusers_plain", in: daemon.folder)

            // Hand-built frames: HELLO, IMPORT (import_request_minimal.hex: "plain" from one
            // pytorch_lora_weights.safetensors descriptor), then PING.
            let frames = [
                try GoldenVector("hello_request").bytes.hex,
                try GoldenVector("import_request_minimal").bytes.hex + "@" + plain + "/pytorch_lora_weights.safetensors",
                try GoldenVector("ping_request").bytes.hex,
            ]
            let outcome = try ProcessRunner.runPythonClientAsForeignUser(
                socket: daemon.socketPath, frames: frames, in: daemon.folder)
            #expect(outcome.status == 0, "\(outcome)")
            #expect(replies(outcome) == ["0x8001 0 -", "0xfffe 104 permission_denied", "0x8002 0 -"], "\(outcome)")

            // loractl as the same user: permission denied, exit 77, one line on stderr.
            let imported = try ProcessRunner.runAsForeignUser(
                [TestPaths.binary("loractl"), "import", plain, "--name", "plain", "--socket", daemon.socketPath],
                in: daemon.folder)
            #expect(imported.status == 77, "\(imported)")
            #expect(imported.stderr.split(separator: "\n").count == 1, "\(imported)")
            #expect(imported.stderr.contains("permission"), "\(imported)")
            // ... while requests that need no admin work for it.
            let status = try ProcessRunner.runAsForeignUser(
                [TestPaths.binary("loractl"), "status", "--socket", daemon.socketPath, "--json"], in: daemon.folder)
            #expect(status.status == 0, "\(status)")

            // Nothing was stored; root (an admin) can import the same files.
            #expect(try admin.listAllAdapters().isEmpty)
            #expect(try admin.stats().adapters == 0)
            try admin.importFixture("diffusers_plain", as: "plain")
            #expect(try admin.listAllAdapters().map(\.name) == ["plain"])
            admin.close()
            #expect(try daemon.stop() == 0)
        }
    }
}
