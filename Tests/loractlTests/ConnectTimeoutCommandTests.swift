import Foundation
import LoradSystem
import LoradWire
import Testing

/// `loractl --timeout`: a daemon that accepts but never answers, or accepts nothing, makes
/// loractl give up after the timeout with exit 69 and one line saying what to check; the
/// connection limits' refusal exits 75.
@Suite(.serialized) struct ConnectTimeoutCommandTests {
    let cli = LoractlProcessTests()

    /// A folder for a socket, removed afterwards.
    func withSocketPath(_ body: (String) throws -> Void) throws {
        let folder = try DurableFile.makeTemporaryDirectory(prefix: "loractl-timeout-")
        defer { try? DurableFile.removeTree(folder) }
        try body(folder + "/lorad.sock")
    }

    /// Runs loractl and returns the outcome with how long it took.
    func timedRun(_ arguments: [String]) throws -> (LoractlProcessTests.Outcome, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = try cli.run(arguments)
        return (outcome, clock.now - start)
    }

    @Test func aSocketThatNeverAnswersExits69WithinTheTimeout() throws {
        try withSocketPath { path in
            // Listening, never accepting: the kernel completes the connect, HELLO goes unanswered.
            let listener = try UnixSocket.listen(path: path, backlog: 16)
            defer { try? listener.close() }
            for arguments in [["status", "--socket", path, "--timeout", "1s"], ["--timeout", "1s", "--socket", path, "bases"]] {
                let (outcome, elapsed) = try timedRun(arguments)
                #expect(outcome.status == 69, "\(arguments): \(outcome.stderr)")
                #expect(
                    outcome.stderr
                        == "loractl: lorad at \(path) did not answer within 1s (no reply to the handshake): it may be stuck, overloaded or at its connection limit; check `systemctl status lorad` and `journalctl -u lorad`, or allow more time (loractl --timeout)\n")
                #expect(elapsed >= .seconds(1), "\(arguments): gave up after \(elapsed)")
                // Well before the 10 s default: the flag was honoured.
                #expect(elapsed < .seconds(8), "\(arguments): took \(elapsed)")
            }
        }
    }

    @Test func aFullBacklogExits69WithinTheTimeout() throws {
        try withSocketPath { path in
            let listener = try UnixSocket.listen(path: path, backlog: 0)
            defer { try? listener.close() }
            let held = try UnixSocket.connect(path: path, timeout: .seconds(5))  // fills the backlog
            defer { try? held.close() }
            let (outcome, elapsed) = try timedRun(
                ["merge", "--base", "tiny", "--adapter", "a", "--output", path + ".out", "--socket", path, "--timeout", "500ms"])
            #expect(outcome.status == 69, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("did not answer within 0.5s (it accepted no connection)"), "\(outcome.stderr)")
            #expect(elapsed >= .milliseconds(500) && elapsed < .seconds(8), "took \(elapsed)")
        }
    }

    @Test func aBadTimeoutIsAUsageError() throws {
        for value in ["0s", "soon"] {
            let outcome = try cli.run(["status", "--socket", "/nonexistent/lorad.sock", "--timeout", value])
            #expect(outcome.status == 64, "\(value): \(outcome.stderr)")
            #expect(outcome.stderr.contains("--timeout"), "\(value): \(outcome.stderr)")
        }
    }

    @Test func tooManyConnectionsExits75() throws {
        try withSocketPath { path in
            let listener = try UnixSocket.listen(path: path)
            try listener.setNonBlocking(false)
            defer { try? listener.close() }
            let message = "uid 1000 has 2 connections to lorad open, the most one user may have (limits.connections_per_uid = 2); close one of them and retry, or ask an administrator to raise the limit"
            let served = DispatchSemaphore(value: 0)
            Thread {
                defer { served.signal() }
                // As lorad does: FATAL too_many_connections before reading anything, then close.
                guard case .completed(let accepted)? = try? listener.accept() else { return }
                try? accepted.socket.setNonBlocking(false)
                if let frame = try? ServerMessage.fatal(ErrorPayload(code: .tooManyConnections, message: message)).encode(requestID: 0) {
                    try? accepted.socket.sendAll(frame.bytes, fds: [])
                }
                try? accepted.socket.close()
            }.start()
            let outcome = try cli.run(["status", "--socket", path])
            served.wait()
            #expect(outcome.status == 75, "\(outcome.stderr)")
            #expect(outcome.stderr == "loractl: lorad refused the connection: \(message) (too_many_connections)\n")
        }
    }
}
