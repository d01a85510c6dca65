import Foundation
import Glibc
import LoradServer
import LoradServerTestSupport
import LoradSystem
import LoradWire
import Testing

@Suite(.serialized) struct ServerTests {
    @Test func pingRoundTripAndCounters() throws {
        let harness = try ServerHarness()
        defer { harness.cleanup() }
        let client = try harness.client()
        let hello = try client.hello()
        #expect(hello.version == .current)
        #expect(hello.serverName == "lorad/test")
        #expect(hello.maxFrameBytes == 65536)
        #expect(hello.maxFDsPerFrame == 253)
        #expect(hello.maxRequestsInFlight == 32)
        let reply = try client.call(.ping(PingRequest(token: 42)))
        #expect(reply.message == .ping(PingReply(token: 42)))
        let counters = harness.server.statistics.snapshot()
        #expect(counters.connectionsAccepted == 1)
        #expect(counters.connectionsOpen == 1)
        #expect(counters.requestsDispatched == 1)
        #expect(counters.framesSent == 2)
        #expect(counters.bytesReceived > 0 && counters.bytesSent > 0)
        #expect(counters.description == "1 clients, 1 requests")
        let peer = try #require(harness.handler.log.withLock { $0.requests.first?.peer })
        #expect(peer.uid == geteuid())
        #expect(peer.pid == getpid())
        #expect(peer.isAdmin)
        client.close()
        #expect(eventually { harness.handler.closedConnections == [peer.connectionID] })
        #expect(eventually { harness.server.statistics.snapshot().connectionsOpen == 0 })
    }

    @Test func pipelinedRequestsAreAnsweredAsTheyFinish() throws {
        let harness = try ServerHarness()
        defer { harness.cleanup() }
        let client = try harness.readyClient()
        try client.send(.ping(PingRequest(token: 1_000_300)), id: 1)
        try client.send(.ping(PingRequest(token: 5)), id: 2)
        try client.send(.ping(PingRequest(token: 1_000_100)), id: 3)
        let order = try (0..<3).map { _ in try client.expectFrame().requestID }
        #expect(order == [2, 3, 1])
    }

    @Test func replyDescriptorsReachTheClient() throws {
        let harness = try ServerHarness()
        defer { harness.cleanup() }
        let client = try harness.readyClient()
        let frame = try client.call(.getSegments(GetSegmentsRequest(sessionID: 77)))
        guard case .getSegments(let reply) = frame.message else {
            Issue.record("expected GET_SEGMENTS_REPLY, got \(frame.message)")
            return
        }
        #expect(frame.fds.count == 1)
        let fd = FileDescriptor(rawValue: try #require(reply.segments.first?.fd))
        defer { try? fd.close() }
        var bytes = [UInt8](repeating: 0, count: Int(reply.segments[0].byteSize))
        try bytes.withUnsafeMutableBytes { try fd.readExactly(fromAbsoluteOffset: 0, into: $0) }
        #expect(String(decoding: bytes, as: UTF8.self) == "segment 77")
        #expect(try Memfd.seals(of: fd) == .immutable)
        #expect(harness.server.statistics.snapshot().descriptorsSent == 1)
    }

    @Test func requestDescriptorsReachTheHandler() throws {
        let harness = try ServerHarness()
        defer { harness.cleanup() }
        let client = try harness.readyClient()
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        let reader = FileDescriptor(rawValue: ends[0])
        defer { try? reader.close() }
        let id = try client.send(.exportAdapter(ExportRequest(adapter: AdapterRef(name: "disney"), output: ends[1])))
        try FileDescriptor(rawValue: ends[1]).close()
        let frame = try client.expectFrame()
        #expect(frame.requestID == id)
        #expect(frame.message == .exportAdapter(ExportReply(bytesWritten: 0)))
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = try bytes.withUnsafeMutableBytes { try reader.read(into: $0) }
        #expect(String(decoding: bytes[..<count], as: UTF8.self) == "exported disney")
        // The handler closed its copy, so the pipe is at end of file now.
        #expect(try bytes.withUnsafeMutableBytes { try reader.read(into: $0) } == 0)
        #expect(harness.server.statistics.snapshot().descriptorsReceived == 1)
    }

    @Test func malformedFrameIsFatalAndOtherConnectionsGoOn() throws {
        let harness = try ServerHarness()
        defer { harness.cleanup() }
        let good = try harness.readyClient()
        let bad = try harness.readyClient()
        try bad.send(rawFrame(opcode: Opcode.ping.rawValue, requestID: 5, payload: Array(repeating: 0, count: 8), reserved: 3))
        let fatal = try bad.expectFrame()
        #expect(errorCode(fatal.message) == .malformedFrame)
        if case .fatal = fatal.message {} else { Issue.record("expected FATAL, got \(fatal.message)") }
        #expect(try bad.receive() == nil, "the server closes after FATAL")
        #expect(try good.call(.ping(PingRequest(token: 9))).message == .ping(PingReply(token: 9)))
        #expect(harness.server.statistics.snapshot().fatalErrors == 1)
        #expect(eventually { harness.handler.closedConnections.count == 1 })
    }

    @Test func oversizedFrameIsFatal() throws {
        let harness = try ServerHarness()
        defer { harness.cleanup() }
        let client = try harness.readyClient()
        try client.send(rawFrame(opcode: Opcode.ping.rawValue, requestID: 5, length: 1 << 20))
        #expect(try client.expectFrame().message.errorCodeForTests == .frameTooLarge)
        #expect(try client.receive() == nil)
    }

    @Test func requestBeforeHelloIsFatal() throws {
        let harness = try ServerHarness()
        defer { harness.cleanup() }
        let client = try harness.client()
        try client.send(.ping(PingRequest(token: 1)), id: 3)
        let frame = try client.expectFrame()
        #expect(frame.message.errorCodeForTests == .handshakeRequired)
        #expect(frame.requestID == 3)
        #expect(try client.receive() == nil)
        #expect(harness.handler.requestCount == 0)
    }

    @Test func handshakeTimeoutCloses() throws {
        let harness = try ServerHarness {
            $0.connection.handshakeTimeout = .milliseconds(200)
        }
        defer { harness.cleanup() }
        let client = try harness.client()
        let start = ContinuousClock.now
        let frame = try client.expectFrame(timeout: .seconds(5))
        #expect(frame.message.errorCodeForTests == .handshakeRequired)
        #expect(ContinuousClock.now - start >= .milliseconds(150))
        #expect(try client.receive() == nil)
    }

    @Test func partialFrameTimeoutCloses() throws {
        let harness = try ServerHarness {
            $0.connection.partialFrameTimeout = .milliseconds(200)
        }
        defer { harness.cleanup() }
        let client = try harness.readyClient()
        try client.send(Array(try pingFrame(id: 4).bytes.prefix(10)))
        #expect(try client.expectFrame(timeout: .seconds(5)).message.errorCodeForTests == .protocolViolation)
        #expect(try client.receive() == nil)
    }

    @Test func stopLetsRequestsInFlightFinish() throws {
        let harness = try ServerHarness()
        defer { harness.cleanup() }
        let client = try harness.readyClient()
        let held = try client.send(.stats(StatsRequest()))
        #expect(eventually { harness.handler.heldCount == 1 })
        harness.server.stop(grace: .seconds(10), reason: "SIGTERM")
        let event = try client.expectFrame()
        #expect(event.message == .shuttingDown(ShuttingDownEvent(graceMilliseconds: 10000, reason: "SIGTERM")))
        #expect(event.requestID == 0)
        #expect(eventually { !FileManager.default.fileExists(atPath: harness.path) }, "the socket file goes at once")
        let late = try client.call(.ping(PingRequest(token: 1)))
        #expect(late.message.errorCodeForTests == .shuttingDown)
        #expect(!harness.hasExited)
        harness.handler.releaseHeld()
        let reply = try client.expectFrame()
        #expect(reply.requestID == held)
        if case .stats = reply.message {} else { Issue.record("expected STATS_REPLY, got \(reply.message)") }
        #expect(try client.receive() == nil)
        #expect(try harness.waitForExit()?.get() != nil)
    }

    @Test func stopAnswersWhatIsLeftWhenTheGraceTimeEnds() throws {
        let harness = try ServerHarness()
        defer { harness.cleanup() }
        let client = try harness.readyClient()
        let held = try client.send(.stats(StatsRequest()))
        #expect(eventually { harness.handler.heldCount == 1 })
        let start = ContinuousClock.now
        harness.server.stop(grace: .milliseconds(200))
        if case .shuttingDown = try client.expectFrame().message {} else { Issue.record("expected SHUTTING_DOWN") }
        let answer = try client.expectFrame()
        #expect(answer.requestID == held)
        #expect(answer.message.errorCodeForTests == .shuttingDown)
        #expect(try client.receive() == nil)
        #expect(harness.waitForExit() != nil)
        #expect(ContinuousClock.now - start >= .milliseconds(150))
        // A reply after the loop ended is released, not sent or leaked.
        #expect(harness.handler.releaseHeld() == 1)
    }

    @Test func slowReaderIsDroppedWithoutStallingOthers() throws {
        let harness = try ServerHarness {
            $0.maxQueuedBytesPerConnection = 256 << 10
            $0.connection.maxRequestsInFlight = 1000
        }
        defer { harness.cleanup() }
        let other = try harness.readyClient()
        let slow = try harness.readyClient()
        // About 50 KiB per reply, 400 replies: far more than the socket buffer plus the queue.
        var burst: [UInt8] = []
        for id in 1...400 { burst += try ClientMessage.listBases(ListBasesRequest()).encode(requestID: UInt32(id)).bytes }
        try slow.send(burst)
        #expect(eventually { harness.server.statistics.snapshot().slowReadersDropped == 1 })
        #expect(try other.call(.ping(PingRequest(token: 3))).message == .ping(PingReply(token: 3)))
        var frames = 0
        while try slow.receive() != nil { frames += 1 }
        #expect(frames < 400)
    }

    @Test func refusedPeerGetsPermissionDenied() throws {
        let harness = try ServerHarness()
        defer { harness.cleanup() }
        let output = try runAsNobody(helloScript, harness.path)
        #expect(output.hasPrefix("0xffff 104 permission_denied"), "\(output)")
        #expect(output.contains("uid 65534"))
        #expect(output.contains("access.allow_uids"))
        #expect(harness.server.statistics.snapshot().connectionsRefused == 1)
        #expect(harness.handler.closedConnections.isEmpty, "the handler never saw the refused peer")
    }

    @Test func allowedUIDMayConnect() throws {
        let harness = try ServerHarness {
            $0.access.allowedUIDs = [65534]
        }
        defer { harness.cleanup() }
        let output = try runAsNobody(helloScript, harness.path)
        #expect(output.hasPrefix("0x8001"), "\(output)")
    }

    @Test func adoptedListenerIsServedAndLeftInPlace() throws {
        let folder = try DurableFile.makeTemporaryDirectory(prefix: "lorad-server-adopt-")
        defer { try? DurableFile.removeTree(folder) }
        let path = folder + "/adopted.sock"
        let listener = try UnixSocket.listen(path: path)
        let handler = FakeHandler()
        let server = try Server(
            settings: ServerSettings(listener: .adopted(listener.fileDescriptor), access: AccessPolicy(daemonUID: geteuid())),
            handler: handler, logger: quietLogger)
        Thread.detachNewThread { try? server.run() }
        let client = try TestClient(path: path)
        try client.hello()
        #expect(try client.call(.ping(PingRequest(token: 8))).message == .ping(PingReply(token: 8)))
        server.stop()
        if case .shuttingDown = try client.expectFrame().message {} else { Issue.record("expected SHUTTING_DOWN") }
        #expect(try client.receive() == nil)
        #expect(eventually { server.statistics.snapshot().connectionsOpen == 0 })
        #expect(FileManager.default.fileExists(atPath: path), "an adopted socket's file belongs to systemd")
    }

    @Test func secondServerOnALiveSocketFails() throws {
        let harness = try ServerHarness()
        defer { harness.cleanup() }
        #expect(throws: ServerError.self) {
            _ = try Server(
                settings: ServerSettings(listener: .path(harness.path, mode: 0o660), access: AccessPolicy(daemonUID: 0)),
                handler: FakeHandler())
        }
    }

    @Test func invalidSettingsAreRefused() {
        var settings = ServerSettings(listener: .path("/tmp/unused.sock", mode: 0o660), access: AccessPolicy(daemonUID: 0))
        settings.connection.frameLimits = FrameLimits(maxFrameBytes: 100, maxFDsPerFrame: 253)
        #expect(throws: ServerError.self) { _ = try Server(settings: settings, handler: FakeHandler()) }
        settings.connection.frameLimits = ConnectionSettings.defaultFrameLimits
        settings.maxQueuedBytesPerConnection = 100
        #expect(settings.validationProblem != nil)
    }

    @Test func runTwiceIsRefused() throws {
        let harness = try ServerHarness()
        defer { harness.cleanup() }
        harness.stop()
        #expect(throws: ServerError.alreadyRun) { try harness.server.run() }
    }

    @Test func noDescriptorLeaks() throws {
        var before = openDescriptorCount()
        do {
            let harness = try ServerHarness()
            defer { harness.cleanup() }
            for _ in 0..<20 {
                let client = try harness.readyClient()
                let frame = try client.call(.getSegments(GetSegmentsRequest(sessionID: 1)))
                for fd in frame.fds { try FileDescriptor(rawValue: fd).close() }
                _ = try client.call(.ping(PingRequest(token: 1_000_001)))
                client.close()
            }
            let bad = try harness.readyClient()
            let export = try ClientMessage.exportAdapter(ExportRequest(adapter: AdapterRef(name: "x"), output: 0)).encode(requestID: 9)
            var ends: [Int32] = [-1, -1]
            #expect(pipe(&ends) == 0)
            // A frame cut short after its first bytes carried a descriptor, then the client goes.
            try bad.send(Array(export.bytes.prefix(20)), fds: [ends[1]])
            try FileDescriptor(rawValue: ends[0]).close()
            try FileDescriptor(rawValue: ends[1]).close()
            bad.close()
            let unanswered = try harness.readyClient()
            _ = try unanswered.send(.stats(StatsRequest()))
            #expect(eventually { harness.handler.heldCount == 1 })
            unanswered.close()
            #expect(eventually { harness.server.statistics.snapshot().connectionsOpen == 0 })
            harness.handler.releaseHeld()
            #expect(harness.stop() != nil)
        }
        // Other suites may open descriptors meanwhile: wait until the count is back.
        let settled = eventually(timeout: .seconds(3)) {
            let now = openDescriptorCount()
            if now < before { before = now }
            return now <= before
        }
        #expect(settled, "descriptors before: \(before), after: \(openDescriptorCount())")
    }
}

/// A Python client: connects, sends HELLO, prints the first frame's opcode (and for
/// ERROR/FATAL its code, name and message).
private let helloScript = """
    import socket, struct, sys
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    name = b"py"
    payload = struct.pack("<HHHHH", 1, 0, 1, 0, len(name)) + name
    try:
        s.sendall(struct.pack("<IHHHHI", len(payload), 1, 0, 0, 0, 1) + payload)
    except OSError:
        pass
    def recvn(n):
        b = b""
        while len(b) < n:
            c = s.recv(n - len(b))
            if not c:
                sys.exit("end of stream")
            b += c
        return b
    length, opcode, flags, fdc, res, rid = struct.unpack("<IHHHHI", recvn(16))
    body = recvn(length)
    if opcode in (0xFFFE, 0xFFFF):
        code, nl = struct.unpack_from("<HH", body, 0)
        name = body[4:4 + nl].decode()
        (ml,) = struct.unpack_from("<H", body, 4 + nl)
        print("%#06x %d %s %s" % (opcode, code, name, body[6 + nl:6 + nl + ml].decode()))
    else:
        print("%#06x" % opcode)
    """

/// Runs `python3 -c script argument` as uid/gid 65534 without groups; returns its output.
private func runAsNobody(_ script: String, _ argument: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
    process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script, argument]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
