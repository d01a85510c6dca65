import Glibc
import LoradSystem
import LoradWire

/// A bare socket to the daemon that sends whatever bytes a test wants (malformed frames
/// included) and reads frames back with a deadline, for the protocol's error paths.
final class RawConnection {
    /// The connected socket.
    let socket: UnixSocket
    private let epoll: Epoll
    private var decoder = FrameDecoder(
        limits: FrameLimits(maxFrameBytes: FrameLimits.maximumFrameBytes, maxFDsPerFrame: FrameLimits.maximumFDsPerFrame))
    private var ended = false

    /// Connects to `path` (no HELLO).
    init(path: String) throws {
        socket = try UnixSocket.connect(path: path)
        do {
            epoll = try Epoll()
            try epoll.add(socket.fileDescriptor, interest: [.readable, .readHangup], token: 1)
        } catch {
            try? socket.close()
            throw error
        }
    }

    deinit {
        try? epoll.close()
        try? socket.close()
    }

    /// Sends `bytes` in one go with `fds` attached to the first byte.
    func send(_ bytes: [UInt8], fds: [FileDescriptor] = []) throws {
        try socket.sendAll(bytes, fds: fds)
    }

    /// The next frame, or nil when the daemon closed the connection. Descriptors that come
    /// with frames are closed. Throws when nothing arrives within `timeout`.
    func next(timeout: Duration = .seconds(30)) throws -> Frame? {
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let frame = try decoder.nextFrame() {
                for fd in frame.fds { try? FileDescriptor(rawValue: fd).close() }
                return frame
            }
            if ended { return nil }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw EndToEndFailure("no frame from lorad within \(timeout)") }
            var events: [Epoll.Event] = []
            try epoll.wait(timeout: remaining, into: &events)
            if events.isEmpty { continue }
            let received: ReceivedMessage
            do {
                let outcome = try buffer.withUnsafeMutableBytes { raw in
                    try socket.receive(into: raw, maxFDs: Int(FrameLimits.maximumFDsPerFrame))
                }
                guard case .completed(let message) = outcome else { continue }
                received = message
            } catch let error as SystemError where error.errno == ECONNRESET {
                ended = true
                continue
            }
            if received.isEndOfStream {
                ended = true
                continue
            }
            decoder.feed(buffer[..<received.byteCount], fds: received.fds.map(\.rawValue))
        }
    }

    /// The next frame decoded as a server message; throws at end of stream.
    func nextMessage(timeout: Duration = .seconds(30)) throws -> (header: FrameHeader, message: ServerMessage) {
        guard let frame = try next(timeout: timeout) else { throw EndToEndFailure("lorad closed the connection") }
        return (frame.header, try ServerMessage(decoding: frame))
    }

    /// Whether the daemon closes the connection (end of stream) within `timeout` without
    /// sending another frame.
    func closesWithoutMoreFrames(timeout: Duration = .seconds(30)) throws -> Bool {
        try next(timeout: timeout) == nil
    }

    /// Sends the golden HELLO (`hello_request.hex`) and returns the daemon's HELLO reply.
    @discardableResult
    func hello() throws -> HelloReply {
        try send(GoldenVector("hello_request").bytes)
        let (_, message) = try nextMessage()
        guard case .hello(let reply) = message else { throw EndToEndFailure("HELLO was answered with \(message)") }
        return reply
    }
}
