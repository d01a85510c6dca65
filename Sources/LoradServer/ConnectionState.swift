import LoradSystem
import LoradWire

/// The protocol side of one client connection, as a pure state machine: bytes and descriptors
/// go in, ``ConnectionAction``s come out. No I/O, no clock reads, no descriptor is closed here,
/// so every path is tested by feeding bytes (see `ConnectionStateTests`).
///
/// `Descriptor` is how received descriptors are held: the server uses ``ReceivedDescriptor``,
/// which owns one descriptor from `recvmsg` on, so that each is owned by exactly one holder
/// until it is closed: the decoder's queue, then the `dispatch` action that hands it to the
/// handler or the `closeDescriptors` action that rejects it (or ``abandon()``'s result).
/// Tests use plain numbers.
///
/// Phases: `awaitingHello` → `ready` → `closing`. It frames the stream with `FrameDecoder`,
/// negotiates HELLO (PROTOCOL.md, "Handshake"), checks request ids and the in-flight limit,
/// and turns every protocol violation into the FATAL frame the spec names, followed by
/// ``ConnectionAction/close(_:)``. Timeouts are deadlines on a monotonic clock: the loop calls
/// ``checkDeadlines(now:)`` once ``nextDeadline`` has passed.
public struct ConnectionState<Descriptor: FrameDescriptor>: Sendable {
    /// The actions this state machine returns.
    public typealias Action = ConnectionAction<Descriptor>

    /// Where the connection is in its life.
    public enum Phase: Sendable, Hashable {
        /// Connected; the first frame must be HELLO.
        case awaitingHello
        /// HELLO done at this version; requests flow.
        case ready(ProtocolVersion)
        /// Ending: nothing more is read or dispatched; completions are dropped.
        case closing
    }

    /// What to do when a handler's reply arrives.
    public struct Completion: Sendable {
        /// The frame to queue (the reply, or an ERROR `internal` when the reply could not be
        /// encoded); `nil` when the request is no longer in flight (the connection is closing,
        /// or the id was never dispatched), in which case the reply is discarded.
        public var frame: EncodedFrame?
        /// Actions to perform after queueing `frame` (a close once a drain is finished).
        public var actions: [Action]

        /// Creates a completion.
        public init(frame: EncodedFrame?, actions: [Action]) {
            self.frame = frame
            self.actions = actions
        }
    }

    /// The limits and timeouts this connection enforces.
    public let settings: ConnectionSettings
    /// The current phase.
    public private(set) var phase: Phase = .awaitingHello
    /// Whether the server is stopping: new requests get ERROR `shutting_down`.
    public private(set) var isDraining = false
    /// When the connection gets FATAL `handshake_required` unless HELLO has arrived.
    public var handshakeDeadline: ContinuousClock.Instant? {
        handshakeOffset.map(InstantOffset.instant(at:))
    }
    /// When the connection gets FATAL `protocol_violation` unless the partial frame it holds
    /// is complete; `nil` at a frame boundary.
    public var partialFrameDeadline: ContinuousClock.Instant? {
        partialFrameOffset.map(InstantOffset.instant(at:))
    }
    /// The ids of requests dispatched and not yet answered.
    public private(set) var inFlight: Set<UInt32> = []

    private var decoder = FrameDecoder<Descriptor>(limits: .default)
    /// The deadlines as ``InstantOffset``s: fixed-layout storage, cheap for the loop to test.
    private var handshakeOffset: Duration?
    private var partialFrameOffset: Duration?

    /// Creates the state of a connection accepted at `now`.
    public init(settings: ConnectionSettings, now: ContinuousClock.Instant) {
        self.settings = settings
        self.handshakeOffset = InstantOffset.offset(of: now) + settings.handshakeTimeout
    }

    /// Whether the connection is ending.
    public var isClosing: Bool { phase == .closing }

    /// The limits frames are checked and encoded against: the defaults until HELLO is done,
    /// then the announced ones.
    public var frameLimits: FrameLimits {
        if case .ready = phase { return settings.frameLimits }
        return .default
    }

    /// The earliest deadline the loop must check, or `nil` when there is none.
    public var nextDeadline: ContinuousClock.Instant? {
        nextDeadlineOffset.map(InstantOffset.instant(at:))
    }

    /// Whether ``nextDeadline`` is not `nil`, without making the instant (the loop asks
    /// after every write).
    public var hasDeadline: Bool { nextDeadlineOffset != nil }

    private var nextDeadlineOffset: Duration? {
        guard !isClosing else { return nil }
        switch (handshakeOffset, partialFrameOffset) {
        case (let a?, let b?): return min(a, b)
        case (let a?, nil): return a
        case (nil, let b?): return b
        case (nil, nil): return nil
        }
    }

    // MARK: Input

    /// Feeds the result of one `recvmsg`: its bytes and the descriptors of its control
    /// message, in order. Returns the frames to send, requests to dispatch, descriptors to
    /// close and possibly a close. After a FATAL, everything fed is rejected.
    public mutating func receive(
        _ bytes: some Collection<UInt8>, fds: [Descriptor] = [], now: ContinuousClock.Instant
    ) -> [Action] {
        guard !isClosing else { return fds.isEmpty ? [] : [.closeDescriptors(fds)] }
        decoder.feed(bytes, fds: fds)
        var actions: [Action] = []
        var completedFrame = false
        while !isClosing {
            let frame: ReceivedFrame<Descriptor>
            do {
                guard let next = try decoder.nextFrame() else { break }
                frame = next
            } catch {
                fail(error.payload, requestID: 0, into: &actions)
                return actions
            }
            completedFrame = true
            handle(frame, into: &actions)
        }
        if isClosing || decoder.isAtFrameBoundary {
            partialFrameOffset = nil
        } else if partialFrameOffset == nil || completedFrame {
            partialFrameOffset = InstantOffset.offset(of: now) + settings.partialFrameTimeout
        }
        return actions
    }

    /// `recvmsg` reported `MSG_CTRUNC`: descriptors were lost, so the stream cannot be
    /// trusted. `fds` are the ones that did arrive. FATAL `fd_count_mismatch`.
    public mutating func controlMessageTruncated(fds: [Descriptor]) -> [Action] {
        var actions: [Action] = fds.isEmpty ? [] : [.closeDescriptors(fds)]
        guard !isClosing else { return actions }
        fail(WireError.controlMessageTruncated.payload, requestID: 0, into: &actions)
        return actions
    }

    /// The peer closed its end. Closes whatever descriptors a partial frame left behind.
    public mutating func endOfStream() -> [Action] {
        guard !isClosing else { return [] }
        let midFrame = !decoder.isAtFrameBoundary
        var actions = closingDescriptors()
        phase = .closing
        actions.append(.close(.endOfStream(midFrame: midFrame)))
        return actions
    }

    /// Enforces the handshake and partial-frame timeouts: when a deadline is at or before
    /// `now`, answers the FATAL the spec names for it and closes.
    public mutating func checkDeadlines(now: ContinuousClock.Instant) -> [Action] {
        guard !isClosing else { return [] }
        var actions: [Action] = []
        let now = InstantOffset.offset(of: now)
        if let deadline = handshakeOffset, deadline <= now {
            let message =
                "no HELLO within \(Self.text(settings.handshakeTimeout)) of connecting; send HELLO as the first frame right after connecting"
            fail(ErrorPayload(code: .handshakeRequired, message: message), requestID: 0, into: &actions)
        } else if let deadline = partialFrameOffset, deadline <= now {
            let message =
                "a frame stayed incomplete for \(Self.text(settings.partialFrameTimeout)) (\(decoder.bufferedByteCount) bytes received); write each frame in one go"
            fail(ErrorPayload(code: .protocolViolation, message: message), requestID: 0, into: &actions)
        }
        return actions
    }

    /// The server drops the connection without a word (the peer stopped reading, a socket
    /// call failed): returns the received descriptors still queued, for closing.
    public mutating func abandon() -> [Descriptor] {
        phase = .closing
        handshakeOffset = nil
        partialFrameOffset = nil
        return decoder.takeUndeliveredFDs()
    }

    /// Ends the connection with FATAL `payload` (request id 0), e.g. for a peer the access
    /// rules refuse. Does nothing when already closing.
    public mutating func refuse(_ payload: ErrorPayload) -> [Action] {
        var actions: [Action] = []
        if !isClosing { fail(payload, requestID: 0, into: &actions) }
        return actions
    }

    // MARK: Replies and shutdown

    /// A handler answered `requestID` with `message`, holding the descriptors numbered `held`
    /// (references to their owners, which keep them open until the frame is sent).
    ///
    /// The seam's convention (``HandlerReply``): every descriptor field of `message` holds the
    /// number of a descriptor the reply holds, and the reply holds exactly the descriptors its
    /// fields name, each as often as it is named. The encoder writes each field as the index
    /// the wire requires and lists the descriptors in that order, so the frame passes exactly
    /// the descriptors the payload names. Returns the frame to queue, or none when the request
    /// is not in flight. A reply that cannot be encoded (over the frame limit, a field over
    /// its bound, fields naming descriptors the reply does not hold, or held descriptors no
    /// field names) becomes ERROR `internal` saying why, without descriptors: the caller then
    /// drops what the reply held.
    public mutating func complete(requestID: UInt32, message: ServerMessage, holding held: [Int32] = []) -> Completion {
        guard !isClosing, inFlight.remove(requestID) != nil else {
            return Completion(frame: nil, actions: [])
        }
        var frame: EncodedFrame
        do {
            frame = try message.encode(requestID: requestID, limits: frameLimits)
            try Self.check(named: frame.fds, held: held)
        } catch {
            let text =
                "the server could not encode its \(message.opcode.wireName) reply (\(error.message)); this is a server bug, please report it"
            frame = Self.encode(.error(ErrorPayload(code: .internal, message: text)), requestID: requestID, limits: frameLimits)
        }
        var actions: [Action] = []
        if case .fatal(let payload) = message {
            actions += closingDescriptors()
            phase = .closing
            actions.append(.close(.fatal(payload)))
        } else if isDraining, inFlight.isEmpty {
            phase = .closing
            actions.append(.close(.drained))
        }
        return Completion(frame: frame, actions: actions)
    }

    /// The server is stopping: sends SHUTTING_DOWN with `grace` and `reason`, answers new
    /// requests with ERROR `shutting_down`, and closes once nothing is in flight. A
    /// connection still waiting for HELLO is closed at once (events need a finished HELLO).
    public mutating func beginShutdown(grace: Duration, reason: String) -> [Action] {
        switch phase {
        case .closing:
            return []
        case .awaitingHello:
            var actions = closingDescriptors()
            phase = .closing
            actions.append(.close(.drained))
            return actions
        case .ready:
            guard !isDraining else { return [] }
            isDraining = true
            let milliseconds = UInt32(clamping: Self.milliseconds(grace))
            let event = ShuttingDownEvent(graceMilliseconds: milliseconds, reason: BoundedText.cut(reason, toBytes: WireLimits.maxShortTextBytes))
            var actions: [Action] = [.send(Self.encode(.shuttingDown(event), requestID: 0, limits: frameLimits))]
            if inFlight.isEmpty {
                actions += closingDescriptors()
                phase = .closing
                actions.append(.close(.drained))
            }
            return actions
        }
    }

    /// The shutdown grace time is over: every request still in flight gets ERROR
    /// `shutting_down`, then the connection closes.
    public mutating func shutdownGraceExpired() -> [Action] {
        guard !isClosing else { return [] }
        var actions: [Action] = []
        for id in inFlight.sorted() {
            let payload = ErrorPayload(
                code: .shuttingDown,
                message: "the server stopped before request \(id) finished; retry on a new connection once it is back")
            actions.append(.send(Self.encode(.error(payload), requestID: id, limits: frameLimits)))
        }
        inFlight.removeAll()
        actions += closingDescriptors()
        phase = .closing
        actions.append(.close(.graceExpired))
        return actions
    }

    // MARK: Frames

    private mutating func handle(_ frame: ReceivedFrame<Descriptor>, into actions: inout [Action]) {
        let id = frame.header.requestID
        let isHello = frame.header.opcode == Opcode.hello.rawValue
        switch phase {
        case .closing:
            reject(frame, into: &actions)
        case .awaitingHello:
            guard isHello else {
                reject(frame, into: &actions)
                let what = Opcode(rawValue: frame.header.opcode)?.description ?? "opcode 0x\(String(frame.header.opcode, radix: 16))"
                let payload = ErrorPayload(
                    code: .handshakeRequired, message: "the first frame was \(what), not HELLO; send HELLO first")
                fail(payload, requestID: id, into: &actions)
                return
            }
            handshake(frame, into: &actions)
        case .ready:
            guard !isHello else {
                reject(frame, into: &actions)
                let payload = ErrorPayload(
                    code: .protocolViolation, message: "second HELLO (request \(id)) on a connection; send HELLO only once")
                fail(payload, requestID: id, into: &actions)
                return
            }
            request(frame, into: &actions)
        }
    }

    private mutating func handshake(_ frame: ReceivedFrame<Descriptor>, into actions: inout [Action]) {
        let id = frame.header.requestID
        let hello: HelloRequest
        do {
            guard case .hello(let decoded) = try ClientMessage(decoding: frame.numbered) else {
                reject(frame, into: &actions)
                fail(ErrorPayload(code: .handshakeRequired, message: "the first frame was not HELLO"), requestID: id, into: &actions)
                return
            }
            hello = decoded
        } catch {
            reject(frame, into: &actions)
            fail(error.payload, requestID: id, into: &actions)
            return
        }
        guard
            let version = ProtocolVersion.negotiate(
                clientMin: hello.minVersion, clientMax: hello.maxVersion, serverSupported: settings.supportedVersions)
        else {
            let spoken = settings.supportedVersions.map { "\($0.major).0-\($0)" }.joined(separator: ", ")
            let payload = ErrorPayload(
                code: .unsupportedVersion,
                message: "client \(BoundedText.cut(hello.clientName, toBytes: 64)) offers protocol \(hello.minVersion)-\(hello.maxVersion); this server speaks \(spoken); upgrade the older side")
            fail(payload, requestID: id, into: &actions)
            return
        }
        let reply = HelloReply(
            version: version, serverName: settings.serverName,
            maxFrameBytes: settings.frameLimits.maxFrameBytes, maxFDsPerFrame: settings.frameLimits.maxFDsPerFrame,
            maxRequestsInFlight: settings.maxRequestsInFlight)
        actions.append(.send(Self.encode(.hello(reply), requestID: id, limits: .default)))
        phase = .ready(version)
        handshakeOffset = nil
        decoder.limits = settings.frameLimits
    }

    private mutating func request(_ frame: ReceivedFrame<Descriptor>, into actions: inout [Action]) {
        let id = frame.header.requestID
        let message: ClientMessage
        do {
            message = try ClientMessage(decoding: frame.numbered)
        } catch {
            reject(frame, into: &actions)
            guard error.code == .unknownOpcode else {
                fail(error.payload, requestID: id, into: &actions)
                return
            }
            if let problem = idProblem(id) {
                fail(ErrorPayload(code: .protocolViolation, message: "\(problem) (unknown opcode 0x\(String(frame.header.opcode, radix: 16)))"), requestID: id, into: &actions)
                return
            }
            actions.append(.send(Self.encode(.error(error.payload), requestID: id, limits: frameLimits)))
            return
        }
        if let problem = idProblem(id) {
            reject(frame, into: &actions)
            fail(ErrorPayload(code: .protocolViolation, message: "\(problem) (\(message.opcode.wireName))"), requestID: id, into: &actions)
            return
        }
        if isDraining {
            reject(frame, into: &actions)
            let payload = ErrorPayload(
                code: .shuttingDown, message: "the server is stopping and takes no new requests; retry on a new connection once it is back")
            actions.append(.send(Self.encode(.error(payload), requestID: id, limits: frameLimits)))
            return
        }
        guard inFlight.count < Int(settings.maxRequestsInFlight) else {
            reject(frame, into: &actions)
            let payload = ErrorPayload(
                code: .tooManyRequests,
                message: "\(inFlight.count) requests are already in flight, the announced limit is \(settings.maxRequestsInFlight); wait for a reply before sending more")
            actions.append(.send(Self.encode(.error(payload), requestID: id, limits: frameLimits)))
            return
        }
        inFlight.insert(id)
        actions.append(.dispatch(message, requestID: id, fds: frame.fds))
    }

    // MARK: Helpers

    /// Why `id` may not start a request, or `nil`: 0 is reserved for events, and an id stays
    /// taken until its request is answered.
    private func idProblem(_ id: UInt32) -> String? {
        if id == 0 { return "request id 0 is reserved for events; use 1 or more" }
        if inFlight.contains(id) { return "request id \(id) is already in flight; use a fresh id until its reply arrives" }
        return nil
    }

    /// Sends FATAL `payload` and closes: closes every descriptor still queued in the decoder.
    private mutating func fail(_ payload: ErrorPayload, requestID: UInt32, into actions: inout [Action]) {
        actions += closingDescriptors()
        actions.append(.send(Self.encode(.fatal(payload), requestID: requestID, limits: frameLimits)))
        phase = .closing
        actions.append(.close(.fatal(payload)))
    }

    private func reject(_ frame: ReceivedFrame<Descriptor>, into actions: inout [Action]) {
        if !frame.fds.isEmpty { actions.append(.closeDescriptors(frame.fds)) }
    }

    private mutating func closingDescriptors() -> [Action] {
        handshakeOffset = nil
        partialFrameOffset = nil
        let fds = decoder.takeUndeliveredFDs()
        return fds.isEmpty ? [] : [.closeDescriptors(fds)]
    }

    /// Checks that the descriptors a reply's fields name (`named`, in naming order) are
    /// exactly the ones it holds (`held`), counting repeats: one segment may be named twice
    /// when it is held twice.
    static func check(named: [Int32], held: [Int32]) throws(WireError) {
        guard named.sorted() == held.sorted() else {
            throw WireError(
                .internal,
                "the payload names descriptors \(named) but the reply holds \(held); name each held descriptor once")
        }
    }

    /// Encodes a server-made frame. These messages are small and within every bound (error
    /// texts are cut to 1024 bytes by `ErrorPayload`), so encoding cannot fail; if it ever
    /// did, an empty frame (nothing sent) is returned rather than trapping.
    static func encode(_ message: ServerMessage, requestID: UInt32, limits: FrameLimits) -> EncodedFrame {
        (try? message.encode(requestID: requestID, limits: limits)) ?? EncodedFrame(bytes: [], fds: [])
    }

    /// A duration for messages: `5 s`, `250 ms`.
    static func text(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return attoseconds == 0 ? "\(seconds) s" : "\(milliseconds(duration)) ms"
    }

    /// Whole milliseconds of `duration`: 0 for negative durations, saturating at
    /// `Int64.max` instead of overflowing.
    static func milliseconds(_ duration: Duration) -> Int64 {
        Int64(clamping: duration.whole(.milliseconds))
    }
}

extension ConnectionState.Completion: Equatable where Descriptor: Equatable {}
