import Foundation
import LoradSystem
import LoradWire
import Testing
@testable import LoradClient

/// `LoradConnection.connect(path:name:timeout:)` bounds the connect and the HELLO exchange,
/// and nothing after it; the connection limits' refusal at connect reaches the caller.
@Suite struct ConnectTimeoutTests {
    /// A temporary folder with a socket path in it, removed by `cleanup`.
    struct Place {
        let folder: String
        var socket: String { folder + "/lorad.sock" }
        init() throws { folder = try DurableFile.makeTemporaryDirectory(prefix: "lorad-client-timeout-") }
        func cleanup() { try? DurableFile.removeTree(folder) }
    }

    @Test func aDaemonThatAcceptsButNeverAnswersTimesOutInTheHandshake() throws {
        let place = try Place()
        defer { place.cleanup() }
        // Listening, never accepting: connect succeeds through the backlog, HELLO gets no reply.
        let listener = try UnixSocket.listen(path: place.socket, backlog: 8)
        defer { try? listener.close() }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try LoradConnection.connect(path: place.socket, name: "t", timeout: .milliseconds(300))
            Issue.record("connected to a daemon that never answers")
        } catch {
            guard case .timedOut(let path, let timeout, .handshake) = error else { throw error }
            #expect(path == place.socket)
            #expect(timeout == .milliseconds(300))
            #expect(error.description.contains("did not answer within 0.3s (no reply to the handshake)"), "\(error)")
            #expect(error.description.contains("systemctl status lorad"), "\(error)")
        }
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(300))
        #expect(elapsed < .seconds(5), "waited \(elapsed) for a 300 ms timeout")
    }

    @Test func aFullBacklogTimesOutInTheConnect() throws {
        let place = try Place()
        defer { place.cleanup() }
        // Backlog 0 admits one pending connection; the next connect waits for room.
        let listener = try UnixSocket.listen(path: place.socket, backlog: 0)
        defer { try? listener.close() }
        let held = try UnixSocket.connect(path: place.socket, timeout: .seconds(5))
        defer { try? held.close() }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try LoradConnection.connect(path: place.socket, name: "t", timeout: .milliseconds(300))
            Issue.record("connected through a full backlog")
        } catch {
            guard case .timedOut(_, _, .connect) = error else { throw error }
            #expect(error.description.contains("(it accepted no connection)"), "\(error)")
        }
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(300))
        #expect(elapsed < .seconds(5), "waited \(elapsed) for a 300 ms timeout")
    }

    @Test func requestsAfterTheHandshakeHaveNoTimeout() throws {
        let server = try FakeServer { side in
            try side.handshake()
            let (message, id, _) = try side.receive()
            guard case .ping(let ping) = message else { throw TestFailure("expected PING, got \(message.opcode)") }
            Thread.sleep(forTimeInterval: 0.6)  // longer than the connect timeout: a slow request
            try side.send(.ping(PingReply(token: ping.token)), requestID: id)
        }
        let connection = try server.connect(timeout: .milliseconds(200))
        #expect(try connection.ping(token: 5) == 5)
        #expect(server.finish() == nil)
    }

    @Test func tooManyConnectionsAtConnectIsAFatalRefusal() throws {
        let payload = ErrorPayload(
            code: .tooManyConnections, message: "uid 1000 has 2 connections to lorad open, the most one user may have")
        let server = try FakeServer { side in
            // The daemon refuses before reading HELLO, as lorad does after SO_PEERCRED.
            try side.send(.fatal(payload), requestID: 0)
        }
        do {
            _ = try server.connect(timeout: .seconds(5))
            Issue.record("a refused connection was accepted")
        } catch {
            guard case .fatal(let received) = error else { throw error }
            #expect(received == payload)
            #expect(error.code == .tooManyConnections)
            #expect(error.description.hasPrefix("lorad refused the connection: uid 1000 has 2 connections"), "\(error)")
            #expect(!error.description.contains("broke the protocol"))
        }
        #expect(server.finish() == nil)
    }
}
