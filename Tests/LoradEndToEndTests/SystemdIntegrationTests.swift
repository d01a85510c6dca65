import Foundation
import Glibc
import LoradClient
import LoradSystem
import Testing

extension EndToEndTests {
    /// lorad under systemd's protocols, without systemd: `systemd-socket-activate` passes
    /// the listening socket, a datagram socket of the test's stands in for `$NOTIFY_SOCKET`.
    @Suite struct SystemdIntegrationTests {
        static let activator = "/usr/bin/systemd-socket-activate"

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: activator)))
        func socketActivatedDaemonNotifiesReadyWatchdogAndStopping() throws {
            let folder = try TemporaryFolder()
            let notify = try UnixDatagramSocket.bind(address: folder.file("notify.sock"))
            defer { try? notify.close() }
            let socketPath = folder.file("activated.sock")
            let boundPath = folder.file("bound.sock")
            let logPath = folder.file("lorad.log")
            FileManager.default.createFile(atPath: logPath, contents: nil)
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.activator)
            process.arguments = [
                "-l", socketPath, "--fdname=lorad",
                "-E", "NOTIFY_SOCKET=\(folder.file("notify.sock"))", "-E", "WATCHDOG_USEC=400000",
                TestPaths.binary("lorad"), "--state-dir", folder.file("state"), "--socket", boundPath,
                "--base", "tiny=\(TestPaths.base)", "--memory-budget", "256MiB",
            ]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = log
            process.standardError = log
            try process.run()
            defer {
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
            }
            func daemonLog() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

            // The activator listens at once; the first connection starts lorad, which
            // adopts the socket (and binds nothing of its own).
            var connection: LoradConnection?
            for _ in 0..<500 where connection == nil {
                connection = try? LoradConnection.connect(path: socketPath, name: "systemd-e2e")
                if connection == nil { Thread.sleep(forTimeInterval: 0.02) }
            }
            let client = try #require(connection, "no connection through the activated socket; log:\n\(daemonLog())")
            defer { client.close() }
            #expect(try client.ping(token: 5) == 5)

            // READY=1 comes once the base settled, then watchdog pings every 200 ms.
            var received: [String] = []
            func waitFor(_ line: String) throws -> Bool {
                let deadline = ContinuousClock.now + .seconds(60)
                while ContinuousClock.now < deadline {
                    guard let datagram = try notify.receive(timeoutMilliseconds: 500) else { continue }
                    let text = String(decoding: datagram, as: UTF8.self)
                    received.append(text)
                    if text.split(separator: "\n").contains(Substring(line)) { return true }
                }
                return false
            }
            #expect(try waitFor("READY=1"), "\(received); log:\n\(daemonLog())")
            #expect(try client.listBases().first { $0.name == "tiny" }?.state == .ready)
            #expect(received.contains { $0.contains("STATUS=") })
            #expect(try waitFor("WATCHDOG=1"), "\(received)")
            #expect(try waitFor("WATCHDOG=1"), "\(received)")
            #expect(!FileStatus.exists(boundPath), "a socket-activated lorad must not bind its own socket")

            kill(process.processIdentifier, SIGTERM)
            #expect(try waitFor("STOPPING=1"), "\(received)")
            let deadline = ContinuousClock.now + .seconds(60)
            while process.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
            #expect(!process.isRunning)
            #expect(process.terminationReason == .exit && process.terminationStatus == 0, "log:\n\(daemonLog())")
        }
    }
}
