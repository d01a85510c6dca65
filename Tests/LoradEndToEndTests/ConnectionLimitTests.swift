import Foundation
import Glibc
import LoradClient
import LoradSystem
import LoradWire
import Testing

extension EndToEndTests {
    /// Issue 11, item 2: one uid cannot take every connection. Ordinary clients run as uids
    /// 65534 and 65533 through `setpriv` and hold their connections open while the test
    /// (root: privileged, exempt from the per-uid limit) checks the reserved slots, STATS,
    /// the refusal log and `loractl --timeout`.
    @Suite(.serialized) struct ConnectionLimitTests {
        /// A Python client (the system's /usr/bin/python3) that opens `COUNT` connections to
        /// `SOCKET` one after another, sends HELLO (hex) on each and prints `ok` for a HELLO
        /// reply (keeping the connection), `refused CODE NAME MESSAGE` for a FATAL (closing it),
        /// `eof` for a closed stream; then `held N`, and keeps the admitted connections open
        /// until the file `RELEASE` exists (at most 120 s).
        static let holder = #"""
            import os, socket, struct, sys, time
            path, hello, count, release = sys.argv[1], bytes.fromhex(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
            held = []
            for _ in range(count):
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(30)
                sock.connect(path)
                try:
                    sock.sendall(hello)
                except OSError:
                    pass  # a refused peer may be closed before its HELLO arrives
                stream = sock.makefile("rb")  # read(n) returns n bytes, fewer only at the end
                header = stream.read(16)
                if len(header) < 16:
                    print("eof")
                    sock.close()
                    continue
                length, opcode = struct.unpack_from("<IH", header, 0)
                payload = stream.read(length)
                if opcode == 0xFFFF:
                    code, name_length = struct.unpack_from("<HH", payload, 0)
                    name = payload[4:4 + name_length].decode()
                    (message_length,) = struct.unpack_from("<H", payload, 4 + name_length)
                    message = payload[6 + name_length:6 + name_length + message_length].decode()
                    print("refused %d %s %s" % (code, name, message))
                    sock.close()
                else:
                    print("ok")
                    held.append(sock)
                sys.stdout.flush()
            print("held %d" % len(held))
            sys.stdout.flush()
            deadline = time.time() + 120
            while not os.path.exists(release) and time.time() < deadline:
                time.sleep(0.02)
            """#

        /// A `holder` running as `uid` in the background, its output in a file.
        final class Holder {
            let process = Process()
            let outputPath: String
            let releasePath: String

            init(uid: Int, socket: String, count: Int, in folder: TemporaryFolder) throws {
                let tag = UUID().uuidString
                outputPath = folder.file("holder-\(tag).out")
                releasePath = folder.file("holder-\(tag).release")
                _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
                let hello = try GoldenVector("hello_request").bytes.hex
                process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
                process.arguments = [
                    "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--",
                    "/usr/bin/python3", "-c", ConnectionLimitTests.holder, socket, hello, "\(count)", releasePath,
                ]
                process.standardInput = FileHandle.nullDevice
                let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
                process.standardOutput = output
                process.standardError = output
                try process.run()
            }

            deinit {
                release()
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }

            var lines: [String] {
                ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            }

            /// Waits (up to 60 s) until the holder has opened everything it will; returns its
            /// lines before `held N`.
            func opened() throws -> [String] {
                let deadline = ContinuousClock.now + .seconds(60)
                while ContinuousClock.now < deadline {
                    let lines = self.lines
                    if let index = lines.firstIndex(where: { $0.hasPrefix("held ") }) { return Array(lines[..<index]) }
                    if !process.isRunning { throw EndToEndFailure("the holder exited early: \(lines)") }
                    Thread.sleep(forTimeInterval: 0.02)
                }
                throw EndToEndFailure("the holder did not finish opening within 60 s: \(lines)")
            }

            /// Lets the holder close its connections and exit.
            func release() {
                _ = FileManager.default.createFile(atPath: releasePath, contents: nil)
            }

            func waitForExit() {
                release()
                process.waitUntilExit()
            }
        }

        @Test func aUidAtItsLimitIsRefusedWhileRootUsesTheReservedSlots() throws {
            try #require(getuid() == 0, "the limit tests switch to uids 65534 and 65533 and need root")
            let config = """
                [access]
                allow_uids = [65534, 65533]

                [limits]
                max_connections = 4
                connections_per_uid = 2
                reserved_connections = 2
                """
            let daemon = try DaemonProcess(config: config, arguments: ["--socket-mode", "0666"])
            let admin = try daemon.waitUntilReady()  // root: 1 open

            // uid 65534: two connections, then 20 more in a tight loop, each refused by the
            // per-uid limit (the refusals are logged once, not 20 times).
            let nobody = try Holder(uid: 65534, socket: daemon.socketPath, count: 22, in: daemon.folder)
            let nobodyLines = try nobody.opened()
            #expect(nobodyLines.prefix(2) == ["ok", "ok"], "\(nobodyLines)")
            #expect(nobodyLines.count == 22)
            for line in nobodyLines.dropFirst(2) {
                #expect(line.hasPrefix("refused 114 too_many_connections uid 65534 has 2 connections to lorad open"), "\(line)")
                #expect(line.contains("limits.connections_per_uid = 2"), "\(line)")
            }
            // uid 65533: one connection fills max_connections (4 with root's and 65534's), the
            // next is refused because the server is full, not because of its uid.
            let other = try Holder(uid: 65533, socket: daemon.socketPath, count: 2, in: daemon.folder)
            let otherLines = try other.opened()
            #expect(otherLines.first == "ok", "\(otherLines)")
            #expect(otherLines.last?.hasPrefix("refused 114 too_many_connections lorad has 4 client connections open") == true, "\(otherLines)")
            #expect(otherLines.last?.contains("limits.max_connections") == true, "\(otherLines)")

            // loractl as uid 65534: refused for now, exit 75 (EX_TEMPFAIL), one line.
            let refused = try ProcessRunner.runAsForeignUser(
                [TestPaths.binary("loractl"), "status", "--socket", daemon.socketPath], in: daemon.folder)
            #expect(refused.status == 75, "\(refused)")
            #expect(refused.stderr.hasPrefix("loractl: lorad refused the connection: uid 65534 has 2 connections"), "\(refused)")
            #expect(refused.stderr.hasSuffix("(too_many_connections)\n"), "\(refused)")

            // STATS counts the admitted connections only: root's, 65534's two, 65533's one.
            #expect(try daemon.eventually { try admin.stats().connections == 4 })
            // Root still gets in, into the two reserved slots ...
            let reserved = try (0..<2).map { _ in try daemon.connect(name: "reserved") }
            for connection in reserved { #expect(try connection.ping(token: 11) == 11) }
            #expect(try admin.stats().connections == 6)
            // ... and then waits: lorad stops accepting at 4 + 2 and the client times out.
            do {
                _ = try LoradConnection.connect(path: daemon.socketPath, name: "over", timeout: .seconds(1))
                Issue.record("connected past max_connections + reserved_connections")
            } catch {
                guard case .timedOut(_, _, .handshake) = error else { throw error }
            }
            let waited = try ProcessRunner.run(
                TestPaths.binary("loractl"), ["status", "--socket", daemon.socketPath, "--timeout", "1s"], in: daemon.folder)
            #expect(waited.status == 69, "\(waited)")
            #expect(waited.stderr.contains("did not answer within 1s"), "\(waited)")

            // The 22 refusals were logged at most twice (one line per 10 s), with the count of
            // the rest; the ceiling once.
            let log = daemon.log
            let refusalLines = log.split(separator: "\n").filter { $0.contains("too many connections (") }
            #expect((1...2).contains(refusalLines.count), "\(refusalLines)")
            #expect(log.contains("connections open, limits.max_connections + limits.reserved_connections (6)"), "\(log)")

            // Everything is released: the waiting connects were served meanwhile or dropped,
            // the holders close theirs, and uid 65534 connects again.
            for connection in reserved { connection.close() }
            nobody.waitForExit()
            other.waitForExit()
            #expect(try daemon.eventually { try admin.stats().connections == 1 })
            let again = try ProcessRunner.runAsForeignUser(
                [TestPaths.binary("loractl"), "status", "--socket", daemon.socketPath, "--json"], in: daemon.folder)
            #expect(again.status == 0, "\(again)")
            admin.close()
            #expect(try daemon.stop() == 0)
        }

        @Test func theOpenFilesLimitIsRaisedForTheConfiguredConnections() throws {
            let daemon = try DaemonProcess(config: "[limits]\nmax_connections = 20000\nreserved_connections = 8\n")
            let admin = try daemon.waitUntilReady()
            let wanted: UInt64 = (20_000 + 8) * 17 + 4096
            let limits = try String(contentsOfFile: "/proc/\(daemon.pid)/limits", encoding: .utf8)
            let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
            let numbers = line.split(separator: " ").compactMap { UInt64($0) }
            let (soft, hard) = (try #require(numbers.first), try #require(numbers.dropFirst().first))
            #expect(soft >= min(wanted, hard), "\(line)")
            if hard < wanted {
                #expect(daemon.log.contains("open files limit is \(soft) (hard \(hard)); 20008 connections"), "\(daemon.log)")
            }
            admin.close()
            #expect(try daemon.stop() == 0)
        }
    }
}
