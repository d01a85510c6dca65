import Glibc
import LoradSystem
import LoradWire
import Synchronization

/// One connection to lorad: one socket, HELLO done, then typed requests.
///
/// Blocking and thread-safe: every call takes the connection's lock for the whole
/// exchange, so threads sharing a connection take turns (open one connection per thread
/// for parallelism). Requests get fresh ids; `submit(_:)` and `reply(to:)` pipeline
/// several requests, replies matched by id whatever their order.
///
/// Descriptors passed in (import files, export and merge outputs) stay owned by the
/// caller; descriptors that come back (segments) are owned by the caller once returned.
/// `close()` (or the last reference going away) closes the socket and any descriptors
/// of replies nobody claimed.
public final class LoradConnection: Sendable {
    /// The versions this client offers in HELLO: 1.0 to 1.2 (``ProtocolVersion/current``).
    public static let supportedVersions = ProtocolVersion.first...ProtocolVersion.current

    /// The socket path connected to (a display name for connections made otherwise).
    public let path: String
    /// The server's software name and version from HELLO, e.g. `lorad/0.1.0`.
    public let serverName: String
    /// The protocol version both sides speak.
    public let version: ProtocolVersion
    /// The frame limits the server announced (both directions obey them).
    public let limits: FrameLimits
    /// The most requests this connection may have unanswered; `submit` waits for replies
    /// beyond it.
    public let maxRequestsInFlight: Int

    private let state: Mutex<ConnectionState>

    /// Does HELLO over `transport`, waiting at most `timeout` for the reply (`nil`: no
    /// limit), and keeps the server's limits. On failure the transport is closed.
    init(transport: any ClientTransport, path: String, name: String, timeout: Duration? = nil) throws(LoradClientError) {
        var state = ConnectionState(transport: transport)
        state.replyDeadline = timeout.map { ContinuousClock.now.advanced(by: $0) }
        let hello: HelloReply
        do throws(LoradClientError) {
            guard name.utf8.count <= WireLimits.maxSoftwareNameBytes else {
                throw LoradClientError.invalidRequest(
                    "client name is \(name.utf8.count) bytes, at most \(WireLimits.maxSoftwareNameBytes) are allowed")
            }
            let request = HelloRequest(
                minVersion: Self.supportedVersions.lowerBound, maxVersion: Self.supportedVersions.upperBound,
                clientName: name)
            let id = try state.send(.hello(request))
            let reply = try state.wait(for: id)
            guard case .hello(let payload) = reply.message else {
                throw LoradClientError.protocolViolation(WireError(.protocolViolation, "HELLO was answered with \(reply.message.opcode)"))
            }
            guard Self.supportedVersions.contains(payload.version) else {
                throw LoradClientError.protocolViolation(WireError(
                    .protocolViolation,
                    "the server chose protocol \(payload.version), outside the offered \(Self.supportedVersions.lowerBound)-\(Self.supportedVersions.upperBound)"))
            }
            hello = payload
        } catch {
            state.close()
            if case .system(let failure) = error, failure.errno == ETIMEDOUT, let timeout {
                throw .timedOut(path: path, timeout: timeout, stage: .handshake)
            }
            throw error
        }
        state.replyDeadline = nil
        state.adopt(hello)
        self.path = path
        self.serverName = hello.serverName
        self.version = hello.version
        self.limits = hello.limits
        self.maxRequestsInFlight = Int(hello.maxRequestsInFlight)
        self.state = Mutex(state)
    }

    deinit {
        state.withLock { $0.close() }
    }

    /// Closes the socket and every descriptor of unclaimed replies. Later calls throw
    /// `LoradClientError.notConnected`. Idempotent.
    public func close() {
        state.withLock { $0.close() }
    }

    /// The SHUTTING_DOWN event, once the server has announced that it is stopping
    /// (noticed while reading replies). New requests will then get `shutting_down`.
    public var shutdownNotice: ShuttingDownEvent? {
        state.withLock { $0.mailbox.shutdownNotice }
    }

    // MARK: - Raw exchange and pipelining

    /// Sends `request` and waits for its reply. An ERROR reply throws
    /// `LoradClientError.server`. The reply's descriptors are the caller's.
    public func send(_ request: ClientMessage) throws(LoradClientError) -> LoradReply {
        try state.withLock { (state) throws(LoradClientError) -> LoradReply in
            let id = try state.send(request)
            return try state.wait(for: id)
        }
    }

    /// Sends `request` without waiting and returns its request id; collect the reply with
    /// `reply(to:)`. When `maxRequestsInFlight` requests are already pending, reads replies
    /// (keeping them for their callers) until one is answered. HELLO is not allowed here.
    public func submit(_ request: ClientMessage) throws(LoradClientError) -> UInt32 {
        if case .hello = request { throw LoradClientError.invalidRequest("HELLO is sent once, by connect") }
        return try state.withLock { (state) throws(LoradClientError) -> UInt32 in try state.send(request) }
    }

    /// Waits for the reply to the request `submit(_:)` returned `requestID` for. An ERROR
    /// reply throws `LoradClientError.server`; an id that is not pending throws
    /// `invalidRequest`. Each reply can be taken once.
    public func reply(to requestID: UInt32) throws(LoradClientError) -> LoradReply {
        try state.withLock { (state) throws(LoradClientError) -> LoradReply in try state.wait(for: requestID) }
    }

    /// Sends every request before reading any reply (up to `maxRequestsInFlight` at a time)
    /// and returns the outcomes in request order. Per-request failures (ERROR replies,
    /// requests that cannot be encoded) are in the results; a connection failure throws.
    public func pipeline(_ requests: [ClientMessage]) throws(LoradClientError) -> [Result<LoradReply, LoradClientError>] {
        try state.withLock { (state) throws(LoradClientError) -> [Result<LoradReply, LoradClientError>] in
            var ids: [Result<UInt32, LoradClientError>] = []
            ids.reserveCapacity(requests.count)
            for request in requests {
                if case .hello = request {
                    ids.append(.failure(.invalidRequest("HELLO is sent once, by connect")))
                    continue
                }
                do throws(LoradClientError) {
                    ids.append(.success(try state.send(request)))
                } catch {
                    guard error.isRequestError else { throw error }
                    ids.append(.failure(error))
                }
            }
            var results: [Result<LoradReply, LoradClientError>] = []
            results.reserveCapacity(ids.count)
            for id in ids {
                switch id {
                case .failure(let error):
                    results.append(.failure(error))
                case .success(let id):
                    do throws(LoradClientError) {
                        results.append(.success(try state.wait(for: id)))
                    } catch {
                        guard error.isRequestError else { throw error }
                        results.append(.failure(error))
                    }
                }
            }
            return results
        }
    }

    /// Sends `request`, waits, and extracts the expected payload; a reply of another kind
    /// (which the mailbox already rules out) closes its descriptors and throws.
    func call<Payload>(
        _ request: ClientMessage, _ extract: (ServerMessage) -> Payload?
    ) throws(LoradClientError) -> (Payload, [FileDescriptor]) {
        let reply = try send(request)
        guard let payload = extract(reply.message) else {
            reply.closeDescriptors()
            throw LoradClientError.protocolViolation(WireError(
                .protocolViolation, "\(request.opcode) was answered with \(reply.message.opcode)"))
        }
        return (payload, reply.descriptors)
    }
}
