import Foundation
import Glibc
import LoradClient
import LoradSystem
import Testing

extension EndToEndTests {
    /// `systemctl restart` without systemd: a datagram socket of the test's stands in for
    /// `$NOTIFY_SOCKET` and keeps what lorad puts in the fd store, like systemd would; the
    /// next lorad gets those descriptors back as `$LISTEN_FDS` (with a listening socket
    /// named `lorad`) from a small python3 exec wrapper.
    @Suite struct FdStoreRestartTests {
        /// The wrapper: opens the kept descriptors (through /proc/<test pid>/fd), binds a
        /// listening socket, moves them to 3.. and execs lorad with LISTEN_PID = its own pid.
        static let wrapper = """
            import fcntl, os, socket, sys
            paths = [p for p in os.environ.pop("WRAP_FDS").split("\\n") if p]
            names = ["lorad"] + [n for n in os.environ.pop("WRAP_NAMES").split(":") if n]
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(os.environ.pop("WRAP_SOCKET"))
            listener.listen(64)
            opened = [listener.fileno()] + [os.open(p, os.O_RDONLY) for p in paths]
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 200) for fd in opened]
            for index, fd in enumerate(high):
                os.dup2(fd, 3 + index, inheritable=True)
                os.close(fd)
            os.environ["LISTEN_PID"] = str(os.getpid())
            os.environ["LISTEN_FDS"] = str(len(high))
            os.environ["LISTEN_FDNAMES"] = ":".join(names)
            os.execv(sys.argv[1], sys.argv[1:])
            """

        /// systemd's side of the notify socket: every datagram's text, and the fd store.
        final class FakeSystemd {
            let socket: UnixDatagramSocket
            let address: String
            private(set) var texts: [String] = []
            private(set) var store: [(name: String, fd: FileDescriptor)] = []

            init(address: String) throws {
                self.address = address
                socket = try UnixDatagramSocket.bind(address: address)
            }

            deinit {
                for entry in store { try? entry.fd.close() }
                try? socket.close()
            }

            /// Receives datagrams until one has the line `line` (true) or `timeout` passes.
            func waitFor(_ line: String, timeout: Duration = .seconds(60)) throws -> Bool {
                let deadline = ContinuousClock.now + timeout
                while ContinuousClock.now < deadline {
                    guard let text = try receive(timeoutMilliseconds: 200) else { continue }
                    if text.split(separator: "\n").contains(Substring(line)) { return true }
                }
                return false
            }

            /// Receives what is queued (until 300 ms pass quietly).
            func drain() throws {
                while try receive(timeoutMilliseconds: 300) != nil {}
            }

            /// One datagram, applied to the store the way systemd applies FDSTORE messages.
            private func receive(timeoutMilliseconds: Int32) throws -> String? {
                guard let (bytes, fds) = try socket.receiveWithDescriptors(timeoutMilliseconds: timeoutMilliseconds) else { return nil }
                let text = String(decoding: bytes, as: UTF8.self)
                texts.append(text)
                let lines = text.split(separator: "\n").map(String.init)
                let name = lines.first { $0.hasPrefix("FDNAME=") }.map { String($0.dropFirst(7)) } ?? "stored"
                if lines.contains("FDSTOREREMOVE=1") {
                    for entry in store where entry.name == name { try? entry.fd.close() }
                    store.removeAll { $0.name == name }
                }
                if lines.contains("FDSTORE=1") {
                    store += fds.map { (name, $0) }
                } else {
                    for fd in fds { try? fd.close() }
                }
                return text
            }

            /// The STATUS= lines received so far.
            var statusLines: [String] {
                texts.flatMap { $0.split(separator: "\n") }.filter { $0.hasPrefix("STATUS=") }.map(String.init)
            }

            /// Forgets the texts received so far.
            func clearTexts() { texts = [] }
        }

        /// A lorad started through `launcher` (nil: directly), logging to `log`.
        static func start(
            _ arguments: [String], systemd: FakeSystemd, log: String, wrapped socket: String? = nil
        ) throws -> Process {
            FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            let process = Process()
            var environment = ProcessInfo.processInfo.environment
            environment["NOTIFY_SOCKET"] = systemd.address
            if let socket {
                process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
                process.arguments = ["-c", wrapper, TestPaths.binary("lorad")] + arguments
                environment["WRAP_FDS"] = systemd.store.map { "/proc/\(getpid())/fd/\($0.fd.rawValue)" }.joined(separator: "\n")
                environment["WRAP_NAMES"] = systemd.store.map(\.name).joined(separator: ":")
                environment["WRAP_SOCKET"] = socket
            } else {
                process.executableURL = URL(fileURLWithPath: TestPaths.binary("lorad"))
                process.arguments = arguments
            }
            process.environment = environment
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            return process
        }

        /// SIGTERM, then waits for a clean exit.
        static func stop(_ process: Process, log: String) throws {
            kill(process.processIdentifier, SIGTERM)
            let deadline = ContinuousClock.now + .seconds(60)
            while process.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            #expect(process.terminationReason == .exit && process.terminationStatus == 0, "log:\n\(read(log))")
        }

        static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
        func restartTakesTheBaseBackFromTheFdStoreUnlessTheFileChanged() throws {
            let folder = try TemporaryFolder()
            let base = folder.file("tiny.safetensors")
            try FileManager.default.copyItem(atPath: TestPaths.base, toPath: base)
            let systemd = try FakeSystemd(address: folder.file("notify.sock"))
            let arguments = [
                "--state-dir", folder.file("state"), "--socket", folder.file("bound.sock"),
                "--base", "tiny=\(base)", "--memory-budget", "256MiB",
            ]

            // First start: loads the base from its file and stores segment and record.
            let firstLog = folder.file("first.log")
            let first = try Self.start(arguments, systemd: systemd, log: firstLog)
            defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
            #expect(try systemd.waitFor("READY=1"), "log:\n\(Self.read(firstLog))")
            try systemd.drain()
            #expect(systemd.store.map(\.name).sorted() == ["lorad.base.tiny", "lorad.record.tiny"], "\(systemd.texts)")
            try Self.stop(first, log: firstLog)
            #expect(Self.read(firstLog).contains("base tiny kept in the fd store"))

            // Restart: the stored segment matches the file and is adopted.
            systemd.clearTexts()
            let socket = folder.file("activated.sock")
            let secondLog = folder.file("second.log")
            let second = try Self.start(arguments, systemd: systemd, log: secondLog, wrapped: socket)
            defer { if second.isRunning { kill(second.processIdentifier, SIGKILL) } }
            #expect(try systemd.waitFor("READY=1"), "log:\n\(Self.read(secondLog))")
            let client = try LoradConnection.connect(path: socket, name: "fd-store-e2e")
            let adopted = try #require(try client.listBases().first { $0.name == "tiny" })
            #expect(adopted.state == .ready && adopted.origin == .fdStore)
            let session = try client.openSession(base: "tiny", mode: .fused)
            #expect(session.segments.count == 1)
            client.close()
            try systemd.drain()
            #expect(Self.read(secondLog).contains("base tiny taken from the fd store"), "log:\n\(Self.read(secondLog))")
            #expect(systemd.statusLines.contains { $0.contains("bases 1/1 ready (1 from the fd store)") }, "\(systemd.statusLines)")
            #expect(!systemd.texts.contains { $0.hasPrefix("FDSTORE=1") }, "an adopted base is not stored again")
            #expect(!FileStatus.exists(folder.file("bound.sock")), "the passed listening socket is used")
            try Self.stop(second, log: secondLog)

            // The file changes (mtime): the stored copy is refused and the base read again.
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: base)
            systemd.clearTexts()
            unlink(socket)
            let thirdLog = folder.file("third.log")
            let third = try Self.start(arguments, systemd: systemd, log: thirdLog, wrapped: socket)
            defer { if third.isRunning { kill(third.processIdentifier, SIGKILL) } }
            #expect(try systemd.waitFor("READY=1"), "log:\n\(Self.read(thirdLog))")
            let reloaded = try LoradConnection.connect(path: socket, name: "fd-store-e2e")
            #expect(try reloaded.listBases().first { $0.name == "tiny" }?.origin == .file)
            reloaded.close()
            try systemd.drain()
            let thirdText = Self.read(thirdLog)
            #expect(thirdText.contains("base tiny in the fd store was not adopted") && thirdText.contains("was modified"), "log:\n\(thirdText)")
            #expect(!thirdText.contains("taken from the fd store"))
            #expect(systemd.statusLines.contains { $0.contains("bases 1/1 ready") && !$0.contains("fd store") }, "\(systemd.statusLines)")
            #expect(systemd.store.map(\.name).sorted() == ["lorad.base.tiny", "lorad.record.tiny"], "the new copy is stored: \(systemd.texts)")
            try Self.stop(third, log: thirdLog)
        }
    }
}
