import LoradClient
import LoradSystem
import LoradWire

/// `lorad-bench ping`'s default engine: one thread drives every connection through epoll,
/// as `redis-benchmark -c N` does, so that the two are compared like for like and the
/// figure is the server's rather than the cost of waking N client threads once per round
/// trip (with the `threads` engine, on a small machine, that cost dominates).
///
/// Each connection sends its PINGs in windows of `depth` (one `sendmsg` per window) and the
/// next window once the whole window is answered; a latency runs from its window's send to
/// the read that completed its reply. Connecting (and lorad's HELLO) is not timed.
enum PingLoop {
    /// Which protocol the server speaks.
    enum Dialect {
        /// lorad's frames: HELLO, then PING requests answered by PING replies.
        case lorad
        /// Redis's RESP: inline `PING\r\n` answered by `+PONG\r\n` (the anchor).
        case resp
    }

    /// A connection that broke or answered something unexpected.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// One connection's progress.
    private final class Connection {
        let socket: UnixSocket
        var decoder = FrameDecoder()
        /// RESP: bytes of the current `+PONG\r\n` matched so far.
        var matched = 0
        var sent = 0
        var answered = 0
        var nextID: UInt32 = 2
        /// The requests of the current window not yet answered: id (lorad) and send time.
        var waiting: [(id: UInt32, at: ContinuousClock.Instant)] = []
        var isDone = false

        init(socket: UnixSocket) {
            self.socket = socket
        }
    }

    /// Runs `clients` connections to the socket at `path`, each sending `requests` PINGs
    /// in windows of `depth`, and returns the latencies (microseconds), the errors and the
    /// wall time from the first send to the last reply.
    static func run(path: String, dialect: Dialect, clients: Int, requests: Int, depth: Int) -> (LatencySummary, firstError: String?) {
        var firstError: String?
        var errors = 0
        var connections: [Connection] = []
        for index in 0..<clients {
            do {
                connections.append(Connection(socket: try connect(path: path, dialect: dialect, index: index)))
            } catch {
                errors += requests
                firstError = firstError ?? "\(error)"
            }
        }
        defer { for connection in connections { try? connection.socket.close() } }
        var latencies: [Double] = []
        latencies.reserveCapacity(connections.count * requests)
        let epoll: Epoll
        do {
            epoll = try Epoll()
        } catch {
            return (LatencySummary(latencies: [], errors: clients * requests, seconds: 0), "\(error)")
        }
        defer { try? epoll.close() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        defer { buffer.deallocate() }
        let clock = ContinuousClock()
        let began = clock.now
        var open = 0
        // fail: the connection is finished; its unanswered requests count as errors.
        func fail(_ connection: Connection, _ error: any Error) {
            errors += requests - connection.answered
            firstError = firstError ?? "\(error)"
            finish(connection)
        }
        func finish(_ connection: Connection) {
            connection.isDone = true
            open -= 1
            try? epoll.remove(connection.socket.fileDescriptor)
        }
        for (index, connection) in connections.enumerated() {
            do {
                try epoll.add(connection.socket.fileDescriptor, interest: .readable, token: UInt64(index))
                open += 1
                try sendWindow(connection, dialect: dialect, requests: requests, depth: depth, clock: clock)
            } catch {
                fail(connection, error)
            }
        }
        var events: [Epoll.Event] = []
        while open > 0 {
            do {
                try epoll.wait(timeout: nil, into: &events, maxEvents: Epoll.maximumEventsPerWait)
            } catch {
                for connection in connections where !connection.isDone { fail(connection, error) }
                break
            }
            for event in events {
                let connection = connections[Int(event.token)]
                guard !connection.isDone else { continue }
                do {
                    try receive(
                        connection, dialect: dialect, into: buffer, clock: clock, latencies: &latencies, errors: &errors,
                        firstError: &firstError)
                    if connection.waiting.isEmpty {
                        if connection.sent == requests {
                            finish(connection)
                        } else {
                            try sendWindow(connection, dialect: dialect, requests: requests, depth: depth, clock: clock)
                        }
                    }
                } catch {
                    fail(connection, error)
                }
            }
        }
        let seconds = (clock.now - began).inSeconds
        return (LatencySummary(latencies: latencies, errors: errors, seconds: seconds), firstError)
    }

    /// Connects (blocking) and, for lorad, does HELLO.
    private static func connect(path: String, dialect: Dialect, index: Int) throws -> UnixSocket {
        let socket = try UnixSocket.connect(path: path)
        guard dialect == .lorad else { return socket }
        do {
            let hello = HelloRequest(
                minVersion: LoradConnection.supportedVersions.lowerBound,
                maxVersion: LoradConnection.supportedVersions.upperBound, clientName: "lorad-bench/\(index)")
            try socket.sendAll(try ClientMessage.hello(hello).encode(requestID: 1).bytes)
            var decoder = FrameDecoder()
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                if let frame = try decoder.nextFrame() {
                    guard case .hello = try ServerMessage(decoding: frame) else {
                        throw Failure(description: "lorad answered HELLO with \(Opcode(rawValue: frame.header.opcode)?.description ?? "an unknown opcode")")
                    }
                    return socket
                }
                let outcome = try chunk.withUnsafeMutableBytes { raw in try socket.receive(into: raw) }
                guard case .completed(let message) = outcome, !message.isEndOfStream else {
                    throw Failure(description: "lorad closed the connection during HELLO")
                }
                decoder.feed(chunk[0..<message.byteCount])
            }
        } catch {
            try? socket.close()
            throw error
        }
    }

    /// Sends the next window of PINGs in one write.
    private static func sendWindow(
        _ connection: Connection, dialect: Dialect, requests: Int, depth: Int, clock: ContinuousClock
    ) throws {
        let window = min(depth, requests - connection.sent)
        var bytes: [UInt8] = []
        var ids: [UInt32] = []
        for offset in 0..<window {
            switch dialect {
            case .lorad:
                let id = connection.nextID
                connection.nextID = id == UInt32.max ? 1 : id + 1
                let ping = ClientMessage.ping(PingRequest(token: UInt64(connection.sent + offset)))
                bytes += try ping.encode(requestID: id).bytes
                ids.append(id)
            case .resp:
                bytes += RespPingClient.command
                ids.append(0)
            }
        }
        let at = clock.now
        try connection.socket.sendAll(bytes)
        connection.waiting = ids.map { ($0, at) }
        connection.sent += window
    }

    /// Reads what arrived (epoll said readable: the blocking socket does not wait) and
    /// records the replies it completes.
    private static func receive(
        _ connection: Connection, dialect: Dialect, into buffer: UnsafeMutableRawBufferPointer,
        clock: ContinuousClock, latencies: inout [Double], errors: inout Int, firstError: inout String?
    ) throws {
        guard case .completed(let message) = try connection.socket.receive(into: buffer) else { return }
        guard !message.isEndOfStream else { throw Failure(description: "the server closed the connection") }
        guard !message.controlTruncated else { throw Failure(description: "the server passed descriptors with a PING reply") }
        let now = clock.now
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<message.byteCount])
        switch dialect {
        case .resp:
            try RespPingClient.match(bytes, matched: &connection.matched) {
                guard !connection.waiting.isEmpty else { throw Failure(description: "redis answered more PINGs than were sent") }
                let request = connection.waiting.removeFirst()
                latencies.append(ClientPool.microseconds(now - request.at))
                connection.answered += 1
            }
        case .lorad:
            connection.decoder.feed(bytes)
            while let frame = try connection.decoder.nextFrame() {
                let id = frame.header.requestID
                guard let index = connection.waiting.firstIndex(where: { $0.id == id }) else {
                    if id == 0 { continue }  // an event (SHUTTING_DOWN...): not a reply
                    throw Failure(description: "lorad answered request \(id), which is not waiting")
                }
                let request = connection.waiting.remove(at: index)
                connection.answered += 1
                switch try ServerMessage(decoding: frame) {
                case .ping:
                    latencies.append(ClientPool.microseconds(now - request.at))
                case .error(let payload):
                    errors += 1
                    firstError = firstError ?? "\(payload.name): \(payload.message)"
                default:
                    throw Failure(description: "lorad answered PING with \(Opcode(rawValue: frame.header.opcode)?.description ?? "an unknown opcode")")
                }
            }
        }
    }
}
