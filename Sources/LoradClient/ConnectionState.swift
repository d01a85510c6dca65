import Glibc
import LoradSystem
import LoradWire

/// Everything mutable about one connection, used only under `LoradConnection`'s lock:
/// the transport, the frame decoder, the request mailbox and the sticky failure.
struct ConnectionState: Sendable {
    /// nil once closed or failed.
    private var transport: (any ClientTransport)?
    private var decoder = FrameDecoder()
    private(set) var mailbox = ReplyMailbox()
    /// Why the connection is unusable; every later call throws it.
    private var failure: LoradClientError?
    /// The limits requests are encoded against (the defaults until HELLO is answered).
    var limits = FrameLimits.default
    /// The most requests that may be in flight (1 until HELLO is answered).
    var maxInFlight = 1
    /// When waiting for a reply gives up with `ETIMEDOUT` (``LoradClientError/system(_:)``);
    /// set for the handshake only, `nil` (wait as long as it takes) afterwards.
    var replyDeadline: ContinuousClock.Instant?
    /// Where `receive` writes: 64 KiB, large enough for most frames in one call.
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(transport: any ClientTransport) {
        self.transport = transport
    }

    /// Applies the limits of the HELLO reply to both directions.
    mutating func adopt(_ hello: HelloReply) {
        limits = hello.limits
        decoder.limits = hello.limits
        maxInFlight = Int(hello.maxRequestsInFlight)
    }

    /// Encodes and sends `message` under a fresh request id, first reading replies while
    /// the in-flight limit is reached. Returns the id.
    mutating func send(_ message: ClientMessage) throws(LoradClientError) -> UInt32 {
        guard let transport = try usableTransport() else { throw LoradClientError.notConnected }
        while mailbox.inFlightCount >= maxInFlight {
            try readFrame()
        }
        let id = mailbox.register(message.opcode)
        let frame: EncodedFrame
        do {
            frame = try message.encode(requestID: id, limits: limits)
        } catch {
            mailbox.unregister(id)
            throw .invalidRequest("\(message.opcode): \(error.message)")
        }
        do {
            try transport.sendFrame(frame.bytes, fds: frame.fds.map(FileDescriptor.init(rawValue:)))
        } catch {
            mailbox.unregister(id)
            throw failAfterSendError(error)
        }
        return id
    }

    /// Reads frames until the answer to request `id` has arrived and returns it; an ERROR
    /// reply becomes `LoradClientError.server`.
    mutating func wait(for id: UInt32) throws(LoradClientError) -> LoradReply {
        if mailbox.isUnknown(id) {
            throw .invalidRequest("request id \(id) is not pending on this connection (already answered and claimed?)")
        }
        while true {
            if let (request, answer) = mailbox.take(id) {
                switch answer {
                case .reply(let reply): return reply
                case .failure(let payload): throw .server(payload, request: request)
                }
            }
            try readFrame()
        }
    }

    /// Closes the transport and every descriptor still held. Idempotent.
    mutating func close() {
        shutDown(with: .notConnected)
    }

    // MARK: - Receiving

    /// Receives until one whole frame is decoded and hands it to the mailbox.
    private mutating func readFrame() throws(LoradClientError) {
        guard let transport = try usableTransport() else { throw LoradClientError.notConnected }
        while true {
            let frame: Frame?
            do {
                frame = try decoder.nextFrame()
            } catch {
                throw fail(.protocolViolation(error))
            }
            if let frame {
                try dispatch(frame)
                return
            }
            try receiveMore(from: transport)
        }
    }

    private mutating func receiveMore(from transport: any ClientTransport) throws(LoradClientError) {
        let maxFDs = Int(limits.maxFDsPerFrame)
        let deadline = replyDeadline
        let received = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(SystemError) in try transport.receiveChunk(into: raw, maxFDs: maxFDs, deadline: deadline) }
        }
        let chunk: TransportChunk
        do {
            chunk = try received.get()
        } catch {
            if error.errno == ECONNRESET { throw fail(.connectionClosed("(connection reset)")) }
            throw fail(.system(error))
        }
        if chunk.controlTruncated {
            for fd in chunk.fds { try? fd.close() }
            throw fail(.protocolViolation(WireError.controlMessageTruncated))
        }
        guard chunk.byteCount > 0 else {
            let detail = decoder.isAtFrameBoundary ? "(end of stream)" : "in the middle of a frame"
            throw fail(.connectionClosed(detail))
        }
        decoder.feed(buffer[0..<chunk.byteCount], fds: chunk.fds.map(\.rawValue))
    }

    private mutating func dispatch(_ frame: Frame) throws(LoradClientError) {
        let (disposition, discard) = mailbox.accept(frame)
        for fd in discard { try? fd.close() }
        switch disposition {
        case .stored, .event:
            return
        case .fatal(let payload):
            throw fail(.fatal(payload))
        case .violation(let error):
            throw fail(.protocolViolation(error))
        }
    }

    // MARK: - Failing

    /// The transport, or the sticky failure thrown; nil when closed on purpose.
    private func usableTransport() throws(LoradClientError) -> (any ClientTransport)? {
        if let failure { throw failure }
        return transport
    }

    /// After a failed send: a peer that closed may have said why in a FATAL frame it sent
    /// first, so read what is left before giving up.
    private mutating func failAfterSendError(_ error: SystemError) -> LoradClientError {
        guard error.errno == EPIPE || error.errno == ECONNRESET else { return fail(.system(error)) }
        while true {
            do {
                try readFrame()
            } catch {
                if let failure { return failure }
                return fail(error)
            }
        }
    }

    /// Makes `error` the sticky failure, closes everything, and returns it.
    private mutating func fail(_ error: LoradClientError) -> LoradClientError {
        if let failure { return failure }
        shutDown(with: error)
        return error
    }

    private mutating func shutDown(with error: LoradClientError) {
        transport?.closeTransport()
        transport = nil
        if failure == nil { failure = error }
        for fd in decoder.takeUndeliveredFDs() { try? FileDescriptor(rawValue: fd).close() }
        for fd in mailbox.takeUnclaimedDescriptors() { try? fd.close() }
    }
}
