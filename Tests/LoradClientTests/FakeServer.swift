import Foundation
import LoradSystem
import LoradWire
@testable import LoradClient

/// The server end of a socket pair, speaking the codec on a thread of its own, so that
/// `LoradConnection` can be tested against scripted replies.
final class FakeServer: Sendable {
    /// The client's end: hand it to `LoradConnection(transport:path:name:)`.
    let clientEnd: UnixSocket
    private let done = DispatchSemaphore(value: 0)
    private let failure = LockedBox<String?>(nil)

    /// Starts `script` on a new thread with the server's end of a fresh socket pair.
    init(_ script: @escaping @Sendable (inout ServerSide) throws -> Void) throws {
        let (client, server) = try UnixSocket.socketPair()
        clientEnd = client
        let done = self.done
        let failure = self.failure
        let thread = Thread {
            var side = ServerSide(socket: server)
            do {
                try script(&side)
            } catch {
                failure.set("fake server: \(error)")
            }
            side.closeReceived()
            try? server.close()
            done.signal()
        }
        thread.start()
    }

    /// Connects a `LoradConnection` over the pair (does HELLO, waiting at most `timeout`).
    func connect(name: String = "tests/1", timeout: Duration? = nil) throws(LoradClientError) -> LoradConnection {
        try LoradConnection(transport: clientEnd, path: "fake", name: name, timeout: timeout)
    }

    /// Waits for the script to end and returns what went wrong in it, if anything.
    func finish() -> String? {
        done.wait()
        return failure.get()
    }
}

/// The server's side of the conversation.
struct ServerSide {
    let socket: UnixSocket
    private var decoder = FrameDecoder()
    /// Every descriptor received with requests, closed when the script ends.
    private(set) var receivedFDs: [FileDescriptor] = []

    init(socket: UnixSocket) { self.socket = socket }

    /// Receives the next request frame.
    mutating func receive() throws -> (message: ClientMessage, requestID: UInt32, fds: [FileDescriptor]) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let frame = try decoder.nextFrame() {
                let fds = frame.fds.map(FileDescriptor.init(rawValue:))
                receivedFDs += fds
                return (try ClientMessage(decoding: frame), frame.header.requestID, fds)
            }
            let outcome = try buffer.withUnsafeMutableBytes { try socket.receive(into: $0, maxFDs: UnixSocket.maximumFDsPerMessage) }
            guard case .completed(let chunk) = outcome, chunk.byteCount > 0 else { throw TestFailure("client closed") }
            decoder.feed(buffer[0..<chunk.byteCount], fds: chunk.fds.map(\.rawValue))
        }
    }

    /// Sends `message` with request id `requestID`; its fd fields name `fds`.
    func send(_ message: ServerMessage, requestID: UInt32) throws {
        let frame = try message.encode(requestID: requestID)
        try socket.sendAll(frame.bytes, fds: frame.fds.map(FileDescriptor.init(rawValue:)))
    }

    /// Answers the client's HELLO with `version` and `limits`; returns the request.
    @discardableResult
    mutating func handshake(
        version: ProtocolVersion = .current, maxFrameBytes: UInt32 = 65536, maxFDs: UInt16 = 253, inFlight: UInt16 = 32
    ) throws -> HelloRequest {
        let (message, id, _) = try receive()
        guard case .hello(let hello) = message else { throw TestFailure("first frame was \(message.opcode)") }
        try send(
            .hello(HelloReply(
                version: version, serverName: "fake/1", maxFrameBytes: maxFrameBytes,
                maxFDsPerFrame: maxFDs, maxRequestsInFlight: inFlight)),
            requestID: id)
        return hello
    }

    /// Closes the descriptors requests brought.
    mutating func closeReceived() {
        for fd in receivedFDs { try? fd.close() }
        receivedFDs = []
    }
}

/// A value shared between the test and the server thread.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    // @unchecked: every access to `value` holds `lock`.
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
}
