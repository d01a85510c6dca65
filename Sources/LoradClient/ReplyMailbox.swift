import LoradSystem
import LoradWire

/// The pure bookkeeping of a connection's requests: which ids are in flight and for which
/// opcode, which answers arrived but were not claimed yet, and what an incoming frame means.
///
/// No I/O: the connection feeds it decoded frames and closes the descriptors it hands back.
struct ReplyMailbox: Sendable {
    /// The answer to one request.
    enum Answer: Sendable {
        /// The reply (its descriptors owned by the answer's holder).
        case reply(LoradReply)
        /// An ERROR reply.
        case failure(ErrorPayload)
    }

    /// What an incoming frame meant for the connection.
    enum Disposition: Sendable {
        /// An answer to a pending request, now waiting in the mailbox.
        case stored(UInt32)
        /// An event (known and recorded, or unknown and skipped).
        case event
        /// A FATAL error: the server closes the connection.
        case fatal(ErrorPayload)
        /// A frame this client cannot accept: it must close the connection.
        case violation(WireError)
    }

    /// Requests sent and not answered yet: id to request opcode.
    private(set) var inFlight: [UInt32: Opcode] = [:]
    /// Answers received and not claimed yet, by request id, with the request's opcode.
    private var answers: [UInt32: (request: Opcode, answer: Answer)] = [:]
    private var lastID: UInt32 = 0
    /// The SHUTTING_DOWN event, once the server sent it.
    private(set) var shutdownNotice: ShuttingDownEvent?

    /// The number of requests sent and not answered yet.
    var inFlightCount: Int { inFlight.count }

    /// Chooses the next request id (never 0, never one in flight or waiting to be claimed)
    /// and records `opcode` as in flight under it.
    mutating func register(_ opcode: Opcode) -> UInt32 {
        repeat {
            lastID &+= 1
        } while lastID == 0 || inFlight[lastID] != nil || answers[lastID] != nil
        inFlight[lastID] = opcode
        return lastID
    }

    /// Forgets a registered request that could not be sent.
    mutating func unregister(_ id: UInt32) {
        inFlight[id] = nil
    }

    /// Takes the answer to request `id` if it has arrived, with the request's opcode.
    mutating func take(_ id: UInt32) -> (request: Opcode, answer: Answer)? {
        answers.removeValue(forKey: id)
    }

    /// Whether request `id` is neither in flight nor answered-and-unclaimed.
    func isUnknown(_ id: UInt32) -> Bool { inFlight[id] == nil && answers[id] == nil }

    /// Takes every descriptor of answers nobody claimed (to close them when the connection
    /// ends) and forgets those answers.
    mutating func takeUnclaimedDescriptors() -> [FileDescriptor] {
        defer { answers.removeAll() }
        return answers.values.flatMap { entry -> [FileDescriptor] in
            if case .reply(let reply) = entry.answer { return reply.descriptors }
            return []
        }
    }

    /// Accepts one frame from the server. Returns what it means and the descriptors the
    /// caller must close now (those of any frame that is not stored as a reply).
    mutating func accept(_ frame: Frame) -> (Disposition, discard: [FileDescriptor]) {
        let descriptors = frame.fds.map(FileDescriptor.init(rawValue:))
        let message: ServerMessage
        do {
            message = try ServerMessage(decoding: frame)
        } catch {
            if error.code == .unknownOpcode, Opcode.kind(of: frame.header.opcode) == .event {
                return (.event, descriptors)
            }
            return (.violation(error), descriptors)
        }
        switch message {
        case .fatal(let payload):
            return (.fatal(payload), descriptors)
        case .shuttingDown(let event):
            shutdownNotice = event
            return (.event, descriptors)
        case .hello, .ping, .cancel, .listBases, .listAdapters, .showAdapter, .importAdapter, .exportAdapter, .removeAdapter,
            .openSession, .attach, .detach, .switchAdapters, .closeSession, .getSegments, .merge, .evict, .stats, .verify, .gc,
            .error:
            break
        }
        let id = frame.header.requestID
        guard let request = inFlight[id] else {
            return (.violation(WireError(
                .protocolViolation, "\(message.opcode) answers request id \(id), which is not pending")), descriptors)
        }
        let answer: Answer
        if case .error(let payload) = message {
            answer = .failure(payload)
        } else if message.opcode == request.replyOpcode {
            answer = .reply(LoradReply(requestID: id, message: message, descriptors: descriptors))
        } else {
            return (.violation(WireError(
                .protocolViolation, "\(message.opcode) answers request id \(id), which was \(request)")), descriptors)
        }
        inFlight[id] = nil
        answers[id] = (request, answer)
        if case .failure = answer { return (.stored(id), descriptors) }
        return (.stored(id), [])
    }
}
