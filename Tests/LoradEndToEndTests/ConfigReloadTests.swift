import Foundation
import Glibc
import LoradClient
import Testing

extension EndToEndTests {
    /// SIGHUP: lorad reads its config file again and applies what can change live.
    @Suite struct ConfigReloadTests {
        @Test func sighupAddsAndRetiresBasesAndABadConfigIsRefused() throws {
            let daemon = try DaemonProcess(config: "memory_budget = \"256MiB\"\n")
            let client = try daemon.waitUntilReady()
            defer { client.close() }
            #expect(try client.listBases().map(\.name) == [DaemonProcess.baseName])

            // A second base appears in the file: after SIGHUP it is listed and loads.
            try daemon.folder.write(
                "memory_budget = \"256MiB\"\n[bases]\nsecond = \"\(TestPaths.base)\"\n", to: "lorad.toml")
            kill(daemon.pid, SIGHUP)
            #expect(try daemon.eventually {
                try client.listBases().first { $0.name == "second" }?.state == .ready
            }, "log:\n\(daemon.log)")
            #expect(try client.listBases().first { $0.name == DaemonProcess.baseName }?.state == .ready)
            let onSecond = try client.openSession(base: "second", mode: .fused)
            onSecond.closeDescriptors()

            // Removed again: no new sessions on it, the open one keeps its segments.
            try daemon.folder.write("memory_budget = \"256MiB\"\n", to: "lorad.toml")
            kill(daemon.pid, SIGHUP)
            #expect(try daemon.eventually {
                do {
                    let probe = try client.openSession(base: "second", mode: .fused)
                    probe.closeDescriptors()
                    try client.closeSession(probe.sessionID)
                    return false
                } catch let error as LoradClientError {
                    return error.code == .notFound
                }
            }, "log:\n\(daemon.log)")
            let kept = try client.getSegments(session: onSecond.sessionID)
            kept.closeDescriptors()
            #expect(kept.base == "second" && !kept.segments.isEmpty)
            try client.closeSession(onSecond.sessionID)

            // Configured once more: available again.
            try daemon.folder.write(
                "memory_budget = \"256MiB\"\n[bases]\nsecond = \"\(TestPaths.base)\"\n", to: "lorad.toml")
            kill(daemon.pid, SIGHUP)
            #expect(try daemon.eventually {
                guard let session = try? client.openSession(base: "second", mode: .fused) else { return false }
                session.closeDescriptors()
                try client.closeSession(session.sessionID)
                return true
            }, "log:\n\(daemon.log)")

            // A broken file: the reload is refused, the daemon keeps serving both bases.
            try daemon.folder.write("memory_budgett = 1\n", to: "lorad.toml")
            kill(daemon.pid, SIGHUP)
            #expect(daemon.eventually { daemon.log.contains("reload refused") }, "log:\n\(daemon.log)")
            #expect(try client.ping(token: 9) == 9)
            #expect(Set(try client.listBases().map(\.name)) == [DaemonProcess.baseName, "second"])
            #expect(try daemon.stop() == 0)
        }
    }
}
