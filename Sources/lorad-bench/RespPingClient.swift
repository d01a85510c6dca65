import LoradSystem

/// `lorad-bench ping --resp`: the ping benchmark's client loop speaking Redis's protocol
/// (RESP) to a redis-server socket instead of lorad's, so that Redis can be measured by the
/// very same harness (threads, clock, percentiles) as lorad.
///
/// Each request is the inline command `PING\r\n`; its reply is `+PONG\r\n` (7 bytes). Any
/// other reply byte counts as a failed connection.
enum RespPingClient {
    /// A reply that is not what PING gets.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Bytes of one request, the inline command `PING\r\n`.
    static let command: [UInt8] = Array("PING\r\n".utf8)

    /// Bytes of one reply, `+PONG\r\n`.
    static let reply: [UInt8] = Array("+PONG\r\n".utf8)

    /// Checks `bytes`, the next ones read from redis, against a stream of ``reply``s and
    /// calls `onReply` for each reply they complete. `matched` carries the bytes of the
    /// current reply matched so far from one read to the next.
    /// - Throws: ``Failure`` at the first byte that is not the expected one; what `onReply` throws.
    static func match(_ bytes: some Sequence<UInt8>, matched: inout Int, onReply: () throws -> Void) throws {
        for byte in bytes {
            guard byte == reply[matched] else {
                throw Failure(description: "redis answered something other than +PONG: is --socket a redis-server?")
            }
            matched += 1
            if matched == reply.count {
                matched = 0
                try onReply()
            }
        }
    }

    /// One client: connect to `path`, then `requests` PINGs in windows of `depth`; each
    /// latency runs from the window's send to the read that completed that reply.
    static func run(path: String, requests: Int, depth: Int) -> ClientPool.Outcome {
        var outcome = ClientPool.Outcome()
        let socket: UnixSocket
        do {
            socket = try UnixSocket.connect(path: path)
        } catch {
            return ClientPool.Outcome(latencies: [], errors: requests, firstError: "\(error)")
        }
        defer { try? socket.close() }
        let clock = ContinuousClock()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 8)
        defer { buffer.deallocate() }
        outcome.latencies.reserveCapacity(requests)
        var sent = 0
        var matched = 0  // bytes of the current reply matched so far
        do {
            while sent < requests {
                let window = min(depth, requests - sent)
                let command = Array(Array(repeating: Self.command, count: window).joined())
                let at = clock.now
                try socket.sendAll(command)
                var answered = 0
                while answered < window {
                    _ = try socket.waitUntilReadable()  // as LoradConnection waits, for the same costs
                    guard case .completed(let message) = try socket.receive(into: buffer), !message.isEndOfStream else {
                        throw Failure(description: "redis closed the connection")
                    }
                    try match(buffer[0..<message.byteCount], matched: &matched) { answered += 1 }
                    let now = clock.now
                    while outcome.latencies.count < sent + answered {
                        outcome.latencies.append(ClientPool.microseconds(now - at))
                    }
                }
                sent += window
            }
        } catch {
            outcome.errors = requests - outcome.latencies.count
            outcome.firstError = "\(error)"
        }
        return outcome
    }
}
