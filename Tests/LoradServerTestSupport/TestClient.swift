import Glibc
import LoradServer
import LoradSystem
import LoradWire

/// A minimal blocking client for server tests: UnixSocket plus the LoradWire codec.
/// Receives with a deadline (polling a non-blocking read) so that a broken server fails a
/// test instead of hanging it.
public final class TestClient {
    public struct Timeout: Error, CustomStringConvertible {
        public var description: String { "no frame from the server within the deadline" }
    }

    public let socket: UnixSocket
    private var decoder = FrameDecoder(limits: FrameLimits(maxFrameBytes: FrameLimits.maximumFrameBytes, maxFDsPerFrame: 253))
    private var isClosed = false
    private var nextID: UInt32 = 100

    public init(path: String) throws {
        socket = try UnixSocket.connect(path: path)
    }

    deinit { close() }

    public func close() {
        guard !isClosed else { return }
        isClosed = true
        for fd in decoder.takeUndeliveredFDs() { try? FileDescriptor(rawValue: fd).close() }
        try? socket.close()
    }

    /// Sends raw bytes with descriptors attached to the first byte (blocking).
    public func send(_ bytes: [UInt8], fds: [Int32] = []) throws {
        try socket.sendAll(bytes, fds: fds.map { FileDescriptor(rawValue: $0) })
    }

    /// Sends `message` with `requestID` (or a fresh id); returns the id.
    @discardableResult
    public func send(_ message: ClientMessage, id: UInt32? = nil) throws -> UInt32 {
        let requestID = id ?? fresh()
        let frame = try message.encode(requestID: requestID, limits: .default)
        try send(frame.bytes, fds: frame.fds)
        return requestID
    }

    /// The next frame, or `nil` at end of stream (or a reset connection).
    public func receive(timeout: Duration = .seconds(10)) throws -> SentFrame? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        try socket.setNonBlocking(true)
        defer { try? socket.setNonBlocking(false) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let frame = try decoder.nextFrame() {
                return SentFrame(
                    message: try ServerMessage(decoding: frame), requestID: frame.header.requestID, fds: frame.fds)
            }
            let outcome: SocketOutcome<ReceivedMessage>
            do {
                outcome = try buffer.withUnsafeMutableBytes { raw in
                    try socket.receive(into: raw, maxFDs: UnixSocket.maximumFDsPerMessage)
                }
            } catch let error as SystemError where error.errno == ECONNRESET {
                return nil
            }
            switch outcome {
            case .completed(let message):
                if message.isEndOfStream { return nil }
                decoder.feed(buffer[0..<message.byteCount], fds: message.fds.map(\.rawValue))
            case .wouldBlock:
                guard ContinuousClock.now < deadline else { throw Timeout() }
                usleep(1000)
            }
        }
    }

    /// The next frame; fails the test at end of stream.
    public func expectFrame(timeout: Duration = .seconds(10)) throws -> SentFrame {
        guard let frame = try receive(timeout: timeout) else {
            throw TestClient.Timeout()
        }
        return frame
    }

    /// Sends HELLO and returns the reply.
    @discardableResult
    public func hello() throws -> HelloReply {
        try send(try helloFrame(id: 1).bytes)
        let frame = try expectFrame()
        guard case .hello(let reply) = frame.message else {
            throw WireError(.protocolViolation, "expected HELLO_REPLY, got \(frame.message)")
        }
        return reply
    }

    /// Sends `message` and returns the next frame (which should be its answer).
    public func call(_ message: ClientMessage) throws -> SentFrame {
        let id = try send(message)
        let frame = try expectFrame()
        guard frame.requestID == id else {
            throw WireError(.protocolViolation, "answer to request \(id) came with id \(frame.requestID): \(frame.message)")
        }
        return frame
    }

    private func fresh() -> UInt32 {
        nextID += 1
        return nextID
    }
}
