import Foundation
import Glibc
import LoradClient
import LoradSystem
import LoradWire
import Testing

extension EndToEndTests {
    /// Starting, checking and stopping the daemon, and clients that go away mid-request.
    @Suite struct DaemonLifecycleTests {
        @Test func checkConfigOnABadConfigExits78WithOneLine() throws {
            let folder = try TemporaryFolder()
            let bad = try folder.write("memory_budgett = \"1GiB\"\n", to: "bad.toml")
            let outcome = try ProcessRunner.run(TestPaths.binary("lorad"), ["--config", bad, "--check-config"], in: folder)
            #expect(outcome.status == 78, "\(outcome)")
            #expect(outcome.stdout.isEmpty, "\(outcome)")
            let lines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
            #expect(lines.count == 1 && outcome.stderr.hasSuffix("\n"), "\(outcome)")
            #expect(outcome.stderr.hasPrefix("lorad: ") && outcome.stderr.contains("memory_budgett"), "\(outcome)")

            // A good one prints one line on stdout and exits 0.
            let good = try folder.write(
                "memory_budget = \"64MiB\"\n[bases]\ntiny = \"\(TestPaths.base)\"\n", to: "good.toml")
            let ok = try ProcessRunner.run(
                TestPaths.binary("lorad"),
                ["--config", good, "--state-dir", folder.file("state"), "--socket", folder.file("s.sock"), "--check-config"],
                in: folder)
            #expect(ok.status == 0 && ok.stdout.hasPrefix("lorad: config OK") && ok.stderr.isEmpty, "\(ok)")
            #expect(!FileStatus.exists(folder.file("s.sock")), "--check-config must not start listening")
        }

        @Test func theDaemonSurvivesClientsThatDisconnectMidRequest() throws {
            let daemon = try DaemonProcess()
            let admin = try daemon.readyWithPlainAndMeta()
            #expect(try daemon.eventually { try admin.stats().connections == 1 })
            _ = try admin.evict()
            let fdsBefore = try daemon.openDescriptorCount()

            for round in 0..<5 {
                // Requests that need work (fusing a new set, a whole merge into a pipe nobody
                // reads), sent and abandoned: the connection closes before any reply.
                let quitter = try daemon.connect(name: "quitter")
                let session = try quitter.openTinySession(.fused)
                let weight = 0.1 * Double(round + 1)
                _ = try quitter.submit(.switchAdapters(SwitchRequest(
                    sessionID: session, adapters: AdapterSet([("plain", weight), ("meta", -weight)]).wire)))
                let (reader, writer) = try Self.pipe()
                try reader.close()
                _ = try quitter.submit(.merge(MergeRequest(
                    base: DaemonProcess.baseName, adapters: AdapterSet([("meta", weight)]).wire, output: writer.rawValue)))
                try writer.close()
                quitter.close()

                // Half a frame, then gone: HELLO, then a SWITCH header and part of its payload.
                let raw = try RawConnection(path: daemon.socketPath)
                try raw.hello()
                try raw.send(MalformedFrameTests.header(length: 200, opcode: 0x0023, requestID: 3) + [1, 0, 0])

                // A connection closed before its HELLO was answered.
                let early = try RawConnection(path: daemon.socketPath)
                try early.send(GoldenVector("hello_request").bytes)

                #expect(try admin.ping(token: UInt64(round)) == UInt64(round))
            }

            // The daemon is alive, serves new sessions, and holds nothing of the quitters.
            let session = try admin.openTinySession(.fused)
            let set = AdapterSet([("plain", 0.7), ("meta", -0.3)])
            let check = try SessionCheck(sets: [set], folder: daemon.folder)
            let state = try admin.switchAdapters(session: session, to: set.wire)
            #expect(check.contentProblems(try SessionSegments(mapping: state), set: set, checkBase: true) == [])
            try admin.closeSession(session)
            #expect(try daemon.eventually { try admin.stats().connections == 1 && admin.stats().sessions == 0 })
            _ = try admin.evict()
            var fdsAfter = -1
            #expect(try daemon.eventually {
                fdsAfter = try daemon.openDescriptorCount()
                return fdsAfter == fdsBefore
            }, "lorad has \(fdsAfter) descriptors open, \(fdsBefore) before")
            admin.close()
            #expect(try daemon.stop() == 0)
        }

        @Test func sigtermWithAClientConnectedDrainsAndExitsZeroAndMappedSegmentsStayValid() throws {
            let daemon = try DaemonProcess()
            let client = try daemon.readyWithPlainAndMeta()
            let set = AdapterSet([("plain", 0.7), ("meta", -0.3)])
            let check = try SessionCheck(sets: [set], folder: daemon.folder)
            let session = try client.openTinySession(.fused)
            let mapped = try SessionSegments(mapping: try client.switchAdapters(session: session, to: set.wire))
            // The client stays connected: the daemon tells it, closes it, and exits 0.
            #expect(try daemon.stop() == 0)
            #expect(throws: LoradClientError.self) { try client.ping(token: 1) }
            client.close()
            // What the client mapped is its own: still there, still right.
            #expect(check.contentProblems(mapped, set: set, checkBase: true) == [])
        }

        @Test func silentAndStalledClientsAreDroppedAtTheirDeadlinesAndOthersStay() throws {
            let daemon = try DaemonProcess(
                config: "[limits]\nhandshake_timeout = \"300ms\"\npartial_frame_timeout = \"300ms\"\n")
            let bystander = try daemon.waitUntilReady()
            let silent = try RawConnection(path: daemon.socketPath)
            let stalled = try RawConnection(path: daemon.socketPath)
            try stalled.hello()
            try stalled.send(MalformedFrameTests.header(length: 8, opcode: 0x0002, requestID: 4) + [1, 2])

            for (connection, code) in [(silent, ErrorCode.handshakeRequired), (stalled, .protocolViolation)] {
                let (_, message) = try connection.nextMessage()
                guard case .fatal(let payload) = message else {
                    Issue.record("expected FATAL \(code.name), got \(message)")
                    continue
                }
                #expect(payload.code == code, "\(payload)")
                #expect(try connection.closesWithoutMoreFrames())
            }
            // The idle bystander finished its handshake long ago and is still served.
            #expect(try bystander.ping(token: 8) == 8)
            bystander.close()
            #expect(try daemon.stop() == 0)
        }

        /// A pipe: (read end, write end).
        static func pipe() throws -> (FileDescriptor, FileDescriptor) {
            var ends: [Int32] = [-1, -1]
            guard ends.withUnsafeMutableBufferPointer({ Glibc.pipe($0.baseAddress) }) == 0 else {
                throw EndToEndFailure("pipe failed: errno \(errno)")
            }
            return (FileDescriptor(rawValue: ends[0]), FileDescriptor(rawValue: ends[1]))
        }
    }
}
