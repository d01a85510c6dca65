import Foundation
import LoradSystem
import LoradWire
import Testing
@testable import LoradClient

@Suite struct LoradConnectionTests {
    @Test func helloNegotiatesAndKeepsTheServerLimits() throws {
        let seen = LockedBox<HelloRequest?>(nil)
        let server = try FakeServer { side in
            // A 1.1 server: a 1.2 client offering 1.0-1.2 works with it.
            seen.set(try side.handshake(version: ProtocolVersion(major: 1, minor: 1), maxFrameBytes: 8192, maxFDs: 16, inFlight: 4))
        }
        let connection = try server.connect(name: "loractl/test")
        #expect(server.finish() == nil)
        #expect(connection.serverName == "fake/1")
        #expect(connection.version == ProtocolVersion(major: 1, minor: 1))
        #expect(connection.limits == FrameLimits(maxFrameBytes: 8192, maxFDsPerFrame: 16))
        #expect(connection.maxRequestsInFlight == 4)
        let hello = try #require(seen.get())
        #expect(hello.clientName == "loractl/test")
        #expect(hello.minVersion == .first && hello.maxVersion == .current)
        #expect(hello.maxVersion == ProtocolVersion(major: 1, minor: 2))
    }

    @Test func aServerChoosing12IsAccepted() throws {
        let server = try FakeServer { side in try side.handshake(version: ProtocolVersion(major: 1, minor: 2)) }
        let connection = try server.connect()
        #expect(server.finish() == nil)
        #expect(connection.version == ProtocolVersion(major: 1, minor: 2))
    }

    @Test func pingEchoesTheToken() throws {
        let server = try FakeServer { side in
            try side.handshake()
            let (message, id, _) = try side.receive()
            guard case .ping(let ping) = message else { throw TestFailure("expected PING, got \(message.opcode)") }
            try side.send(.ping(PingReply(token: ping.token)), requestID: id)
        }
        let connection = try server.connect()
        #expect(try connection.ping(token: 0xDEAD_BEEF) == 0xDEAD_BEEF)
        #expect(server.finish() == nil)
    }

    @Test func errorRepliesMapToServerErrorsAndTheConnectionGoesOn() throws {
        let server = try FakeServer { side in
            try side.handshake()
            let (_, first, _) = try side.receive()
            try side.send(.error(ErrorPayload(code: .notFound, message: "no adapter named \"ghost\"")), requestID: first)
            let (_, second, _) = try side.receive()
            try side.send(.ping(PingReply(token: 5)), requestID: second)
        }
        let connection = try server.connect()
        do {
            _ = try connection.showAdapter(AdapterRef(name: "ghost"))
            Issue.record("showAdapter succeeded")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.errorName == "not_found")
            guard case .server(let payload, let request) = error else { throw error }
            #expect(payload.message == "no adapter named \"ghost\"")
            #expect(request == .showAdapter)
        }
        #expect(try connection.ping(token: 5) == 5)
        #expect(server.finish() == nil)
    }

    @Test func fatalErrorsEndTheConnectionForGood() throws {
        let server = try FakeServer { side in
            try side.handshake()
            let (_, id, _) = try side.receive()
            try side.send(.fatal(ErrorPayload(code: .protocolViolation, message: "nope")), requestID: id)
        }
        let connection = try server.connect()
        for _ in 0..<2 {
            do {
                try connection.ping()
                Issue.record("ping succeeded")
            } catch {
                guard case .fatal(let payload) = error else { throw error }
                #expect(payload.code == .protocolViolation)
                #expect(error.isConnectionFailure)
            }
        }
        #expect(server.finish() == nil)
    }

    @Test func unsupportedVersionFailsConnect() throws {
        let server = try FakeServer { side in
            let (_, id, _) = try side.receive()
            try side.send(.fatal(ErrorPayload(code: .unsupportedVersion, message: "this server speaks 2.0")), requestID: id)
        }
        do {
            _ = try server.connect()
            Issue.record("connect succeeded")
        } catch {
            guard case .fatal(let payload) = error else { throw error }
            #expect(payload.code == .unsupportedVersion)
            #expect(error.description.contains("this server speaks 2.0"))
        }
        #expect(server.finish() == nil)
    }

    @Test func aServerThatHangsUpGivesConnectionClosed() throws {
        let server = try FakeServer { side in
            try side.handshake()
            _ = try side.receive()
        }
        let connection = try server.connect()
        do {
            _ = try connection.stats()
            Issue.record("stats succeeded")
        } catch {
            guard case .connectionClosed = error else { throw error }
        }
        #expect(server.finish() == nil)
    }

    @Test func pipelinedRepliesAreMatchedByIDWhateverTheirOrder() throws {
        let server = try FakeServer { side in
            try side.handshake()
            var pending: [(UInt32, UInt64)] = []
            for _ in 0..<3 {
                let (message, id, _) = try side.receive()
                guard case .ping(let ping) = message else { throw TestFailure("expected PING") }
                pending.append((id, ping.token))
            }
            for (id, token) in pending.reversed() {
                if token == 2 {
                    try side.send(.error(ErrorPayload(code: .tooManyRequests, message: "busy")), requestID: id)
                } else {
                    try side.send(.ping(PingReply(token: token)), requestID: id)
                }
            }
        }
        let connection = try server.connect()
        let results = try connection.pipeline([1, 2, 3].map { .ping(PingRequest(token: $0)) })
        #expect(server.finish() == nil)
        #expect(results.count == 3)
        for (index, result) in results.enumerated() {
            switch result {
            case .success(let reply):
                guard case .ping(let payload) = reply.message else { throw TestFailure("not a ping reply") }
                #expect(payload.token == UInt64(index + 1))
            case .failure(let error):
                #expect(index == 1)
                #expect(error.code == .tooManyRequests)
            }
        }
    }

    @Test func submitRespectsTheInFlightLimit() throws {
        let server = try FakeServer { side in
            try side.handshake(inFlight: 1)
            for _ in 0..<3 {
                let (message, id, _) = try side.receive()
                guard case .ping(let ping) = message else { throw TestFailure("expected PING") }
                try side.send(.ping(PingReply(token: ping.token)), requestID: id)
            }
        }
        let connection = try server.connect()
        let ids = try (10..<13).map { try connection.submit(.ping(PingRequest(token: UInt64($0)))) }
        for (offset, id) in ids.enumerated().reversed() {
            guard case .ping(let payload) = try connection.reply(to: id).message else { throw TestFailure("not a ping reply") }
            #expect(payload.token == UInt64(10 + offset))
        }
        #expect(server.finish() == nil)
    }

    @Test func shutdownEventsAreRecorded() throws {
        let server = try FakeServer { side in
            try side.handshake()
            let (_, id, _) = try side.receive()
            try side.send(.shuttingDown(ShuttingDownEvent(graceMilliseconds: 250, reason: "SIGTERM")), requestID: 0)
            try side.send(.ping(PingReply(token: 0)), requestID: id)
        }
        let connection = try server.connect()
        try connection.ping()
        #expect(connection.shutdownNotice?.reason == "SIGTERM")
        #expect(server.finish() == nil)
    }

    @Test func segmentDescriptorsArriveOwnedAndMapReadOnly() throws {
        let bytes = safetensorsBytes()
        let server = try FakeServer { side in
            try side.handshake()
            let (message, id, _) = try side.receive()
            guard case .openSession(let open) = message else { throw TestFailure("expected OPEN_SESSION") }
            let segment = try sealedSegment(bytes)
            defer { try? segment.close() }
            let reply = SessionReply(
                sessionID: 42, base: open.base, mode: open.mode, generation: 0, active: [],
                segments: [SegmentDescriptor(kind: .base, segmentID: 7, byteSize: UInt64(bytes.count), fd: segment.rawValue)])
            try side.send(.openSession(reply), requestID: id)
        }
        let connection = try server.connect()
        let state = try connection.openSession(base: "tiny", mode: .fused)
        #expect(server.finish() == nil)
        #expect(state.sessionID == 42)
        #expect(state.base == "tiny")
        let segment = try #require(state.baseSegment)
        #expect(segment.segmentID == 7)
        #expect(isOpen(segment.descriptor))
        let mapped = try SessionSegments(mapping: state)
        let region = try #require(mapped.baseSegment).region
        #expect(Array(region.bytes) == bytes)
    }

    @Test func importPassesEachFileWithItsName() throws {
        let received = LockedBox<[String: [UInt8]]>([:])
        let server = try FakeServer { side in
            try side.handshake()
            let (message, id, fds) = try side.receive()
            guard case .importAdapter(let request) = message else { throw TestFailure("expected IMPORT") }
            guard fds.count == 2 else { throw TestFailure("\(fds.count) descriptors arrived") }
            var files: [String: [UInt8]] = [:]
            for file in request.files {
                let fd = FileDescriptor(rawValue: file.fd)
                var content = [UInt8](repeating: 0, count: try fd.size())
                try content.withUnsafeMutableBytes { try fd.readExactly(fromAbsoluteOffset: 0, into: $0) }
                files[file.fileName] = content
            }
            received.set(files)
            try side.send(
                .importAdapter(ImportReply(
                    name: request.name, version: 1, sourceFormat: "peft", rank: 4, alpha: request.alpha ?? 4,
                    moduleCount: 2, rawBytes: 100, storedBytes: 60)),
                requestID: id)
        }
        let connection = try server.connect()
        let config = try sealedSegment(Array("{}".utf8), name: "config")
        let weights = try sealedSegment([1, 2, 3, 4], name: "weights")
        defer {
            try? config.close()
            try? weights.close()
        }
        let reply = try connection.importAdapter(
            name: "disney", files: [("adapter_config.json", config), ("adapter_model.safetensors", weights)], alpha: 8)
        #expect(server.finish() == nil)
        #expect(reply.alpha == 8)
        #expect(received.get() == ["adapter_config.json": Array("{}".utf8), "adapter_model.safetensors": [1, 2, 3, 4]])
        #expect(isOpen(config))
    }

    @Test func invalidArgumentsAreCaughtBeforeSending() throws {
        let server = try FakeServer { side in
            try side.handshake()
            let (_, id, _) = try side.receive()
            try side.send(.ping(PingReply(token: 1)), requestID: id)
        }
        let connection = try server.connect()
        for attempt in [
            { _ = try connection.showAdapter(AdapterRef(name: "bad name")) },
            { _ = try connection.switchAdapters(session: 1, to: [WeightedAdapter(adapter: AdapterRef(name: "a"), weight: .nan)]) },
            {
                _ = try connection.switchAdapters(
                    session: 1, to: [WeightedAdapter(adapter: AdapterRef(name: "a"), weight: 1), WeightedAdapter(adapter: AdapterRef(name: "a"), weight: 2)])
            },
            { _ = try connection.importAdapter(name: "x", files: []) },
        ] as [() throws -> Void] {
            do {
                try attempt()
                Issue.record("invalid request was accepted")
            } catch let error as LoradClientError {
                guard case .invalidRequest = error else { throw error }
            }
        }
        #expect(try connection.ping(token: 1) == 1)
        #expect(server.finish() == nil)
    }

    @Test func connectReportsAMissingOrDeadDaemon() throws {
        let folder = try DurableFile.makeTemporaryDirectory(prefix: "lorad-client-tests-")
        defer { try? DurableFile.removeTree(folder) }
        let missing = folder + "/none.sock"
        do {
            _ = try LoradConnection.connect(path: missing, name: "t")
            Issue.record("connected to nothing")
        } catch {
            guard case .daemonUnavailable(let path, _) = error else { throw error }
            #expect(path == missing)
            #expect(error.description.contains("is lorad running? (systemctl start lorad.socket)"))
        }
        let stale = folder + "/stale.sock"
        let listener = try UnixSocket.listen(path: stale)
        try listener.close()
        do {
            _ = try LoradConnection.connect(path: stale, name: "t")
            Issue.record("connected to a stale socket")
        } catch {
            // A process forked by a parallel test can hold the closed listener until it
            // execs; then the connect succeeds and the connection is reset instead.
            switch error {
            case .daemonUnavailable, .connectionClosed: break
            default: throw error
            }
        }
    }

    @Test func connectOverARealSocketPath() throws {
        let folder = try DurableFile.makeTemporaryDirectory(prefix: "lorad-client-tests-")
        defer { try? DurableFile.removeTree(folder) }
        let path = folder + "/lorad.sock"
        let listener = try UnixSocket.listen(path: path)
        try listener.setNonBlocking(false)
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { finished.signal() }
            guard case .completed(let accepted)? = try? listener.accept() else { return }
            try? accepted.socket.setNonBlocking(false)
            var side = ServerSide(socket: accepted.socket)
            _ = try? side.handshake()
            if let (_, id, _) = try? side.receive() {
                try? side.send(.ping(PingReply(token: 9)), requestID: id)
            }
            try? accepted.socket.close()
        }
        thread.start()
        let connection = try LoradConnection.connect(path: path, name: "t")
        #expect(connection.path == path)
        #expect(try connection.ping(token: 9) == 9)
        finished.wait()
        connection.close()
        try listener.close()
        do {
            try connection.ping()
            Issue.record("ping after close succeeded")
        } catch {
            guard case .notConnected = error else { throw error }
        }
    }
}

/// A tiny valid safetensors file: one F32 tensor `w` of shape [2].
func safetensorsBytes() -> [UInt8] {
    var header = Array(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#.utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    var bytes: [UInt8] = []
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes += $0 }
    bytes += header
    withUnsafeBytes(of: Float(1.5).bitPattern.littleEndian) { bytes += $0 }
    withUnsafeBytes(of: Float(-2).bitPattern.littleEndian) { bytes += $0 }
    return bytes
}
