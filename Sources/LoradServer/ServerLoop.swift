import Logging
import LoradSystem
import LoradWire

/// The state of one ``Server/run()``: epoll, the connections and the stop. Lives on the loop
/// thread only; every method here runs there.
final class ServerLoop {
    private static let listenerToken = UInt64.max
    private static let wakeupToken = UInt64.max - 1
    /// Reads per readiness report on one connection, so that one busy client cannot starve
    /// the others (level-triggered epoll reports it again).
    private static let readsPerWakeup = 8
    /// How long accepting pauses after `accept` failed (`EMFILE`...).
    private static let acceptRetryDelay = Duration.milliseconds(100)
    /// The most bytes gathered into one `sendmsg`.
    private static let maxWriteBytes = 256 << 10
    /// The shortest time between two log lines about the connection limits.
    private static let limitLogInterval = Duration.seconds(10)

    private let server: Server
    private let settings: ServerSettings
    private let statistics: ServerStatistics
    private let logger: Logger
    private let epoll: Epoll
    private let receiveBuffer: UnsafeMutableRawBufferPointer
    private var events: [Epoll.Event] = []
    private var connections: [UInt64: ServerConnection] = [:]
    /// Connections with replies queued during this turn of the loop, written once at its
    /// end (one `sendmsg` each, however many requests they answered), before the next wait.
    private var unflushed: [ServerConnection] = []
    /// The connections with a deadline (waiting for HELLO, holding a partial frame, closing):
    /// the only ones the loop looks at for timeouts, so idle clients cost nothing per wakeup.
    private var timed: Set<UInt64> = []
    private var nextConnectionID: UInt64 = 1
    /// The admitted connections, in all and per uid, against the live ``AdmissionLimits``.
    private var admission = ConnectionAdmission()
    /// Throttles the log lines of peers refused by the connection limits...
    private var refusalLog = LogThrottle(interval: ServerLoop.limitLogInterval)
    /// ... and of pausing at the accept ceiling.
    private var ceilingLog = LogThrottle(interval: ServerLoop.limitLogInterval)
    private var listenerOpen = true
    private var acceptPaused = false
    private var acceptResumeAt: ContinuousClock.Instant?
    private var stopping: (deadline: ContinuousClock.Instant, grace: Duration, reason: String, expired: Bool)?

    init(server: Server) throws(SystemError) {
        self.server = server
        self.settings = server.settings
        self.statistics = server.statistics
        self.logger = server.logger
        let epoll = try Epoll()
        // Closes the epoll descriptor if the loop cannot be set up; handed to `teardown` else.
        let ownsEpoll = OwnedFileDescriptor(epoll.fileDescriptor)
        self.epoll = epoll
        self.receiveBuffer = .allocate(byteCount: server.settings.receiveBufferBytes, alignment: 16)
        do {
            try epoll.add(server.listener.fileDescriptor, interest: .readable, token: Self.listenerToken)
            try epoll.add(server.mailbox.wakeup.fileDescriptor, interest: .readable, token: Self.wakeupToken)
        } catch {
            receiveBuffer.deallocate()
            throw error
        }
        _ = ownsEpoll.release()
    }

    deinit {
        receiveBuffer.deallocate()
    }

    // MARK: The loop

    func run() throws(ServerError) {
        defer { teardown() }
        logger.info("listening", metadata: ["socket": "\(server.socketPath ?? server.listener.description)"])
        while true {
            let before = ContinuousClock.now
            let timeout = nextDeadline().map { max($0 - before, .zero) }
            do { try epoll.wait(timeout: timeout, into: &events, maxEvents: 256) } catch { throw .eventLoop(error) }
            let now = ContinuousClock.now
            server.mailbox.loopAwake()
            for event in events { handle(event, now: now) }
            drainMailbox(now: now)
            flushScheduled(now: now)
            if acceptPaused, acceptResumeAt == nil { resumeAccepting() }  // a reload may have raised the ceiling
            checkDeadlines(now: ContinuousClock.now)
            if stopping != nil, connections.isEmpty { break }
        }
        logger.info("stopped")
    }

    private func handle(_ event: Epoll.Event, now: ContinuousClock.Instant) {
        switch event.token {
        case Self.listenerToken:
            acceptConnections(now: now)
        case Self.wakeupToken:
            server.mailbox.clearWakeup()  // the mailbox itself is emptied after every batch
        default:
            guard let connection = connections[event.token] else { return }
            let broken = !event.ready.isDisjoint(with: [.hangup, .error])
            if connection.wantedInterest.contains(.readable), broken || event.ready.contains(.readable) {
                read(from: connection, now: now)
            }
            if !connection.isClosed, event.ready.contains(.writable) || broken {
                flush(connection, now: now)
            }
            if !connection.isClosed, broken, !connection.wantedInterest.contains(.readable) {
                apply(connection.closing.hungUp(), to: connection, now: now)
            }
        }
    }

    private func nextDeadline() -> ContinuousClock.Instant? {
        var earliest: ContinuousClock.Instant?
        func consider(_ instant: ContinuousClock.Instant?) {
            guard let instant else { return }
            if earliest.map({ instant < $0 }) ?? true { earliest = instant }
        }
        if acceptPaused { consider(acceptResumeAt) }
        if let stopping, !stopping.expired { consider(stopping.deadline) }
        for id in timed { consider(connections[id]?.nextDeadline) }
        return earliest
    }

    private func checkDeadlines(now: ContinuousClock.Instant) {
        if acceptPaused, let resume = acceptResumeAt, resume <= now {
            acceptResumeAt = nil
            resumeAccepting()
        }
        if var stop = stopping, !stop.expired, stop.deadline <= now {
            stop.expired = true
            stopping = stop
            for connection in Array(connections.values) where !connection.isClosed {
                perform(connection.state.shutdownGraceExpired(), on: connection, now: now)
                flush(connection, now: now)
            }
        }
        guard !timed.isEmpty else { return }
        for id in Array(timed) {
            guard let connection = connections[id], !connection.isClosed else {
                timed.remove(id)
                continue
            }
            if connection.isEnding {
                let action = connection.closing.check(now: now)
                if action != .none {
                    logger.debug("closing without flushing: the peer did not read", metadata: ["connection": "\(connection.id)"])
                }
                apply(action, to: connection, now: now)
            } else if let deadline = connection.state.nextDeadline, deadline <= now {
                perform(connection.state.checkDeadlines(now: now), on: connection, now: now)
                flush(connection, now: now)
            } else {
                noteDeadline(connection)
            }
        }
    }

    private func teardown() {
        closeListener()
        for connection in Array(connections.values) {
            apply(connection.closing.abort(.socketError("the server's event loop ended")), to: connection, now: .now)
        }
        _ = server.mailbox.close()  // replies nobody will read: dropping them releases their segments
        do {
            try epoll.close()
        } catch {
            logger.warning("closing the epoll descriptor failed: \(error)")
        }
    }

    // MARK: Accepting

    private func acceptConnections(now: ContinuousClock.Instant) {
        while listenerOpen, !acceptPaused {
            let ceiling = acceptCeiling
            guard connections.count < ceiling else {
                if let heldBack = ceilingLog.admit(now: now) {
                    logger.warning(
                        "\(connections.count) connections open, limits.max_connections + limits.reserved_connections (\(ceiling)); new clients wait until one closes\(LogThrottle.note(heldBack: heldBack))")
                }
                pauseAccepting(until: nil)
                return
            }
            let outcome: SocketOutcome<AcceptedConnection>
            do {
                outcome = try server.listener.accept()
            } catch {
                logger.error("accept failed: \(error); retrying in 100 ms")
                pauseAccepting(until: now.advanced(by: Self.acceptRetryDelay))
                return
            }
            guard case .completed(let accepted) = outcome else { return }
            admit(accepted, now: now)
        }
    }

    private func admit(_ accepted: AcceptedConnection, now: ContinuousClock.Instant) {
        let id = nextConnectionID
        nextConnectionID += 1
        statistics.connectionsAccepted.bump()
        let socket = accepted.socket
        // Closes the socket on the way out unless the connection takes it.
        let ownsSocket = OwnedFileDescriptor(socket.fileDescriptor)
        let credentials = accepted.peer
        do {
            try epoll.add(ownsSocket.descriptor, interest: .readable, token: id)
        } catch {
            logger.error("cannot watch a new connection: \(error); closing it")
            return
        }
        _ = ownsSocket.release()
        let current = server.live.withLock { $0 }
        let connection = ServerConnection(
            id: id, socket: socket, credentials: credentials,
            state: ConnectionState<ReceivedDescriptor>(settings: current.connection, now: now), interest: .readable)
        connections[id] = connection
        statistics.connectionsOpen.bump()
        switch current.access.decide(for: credentials) {
        case .allowed(let isAdmin):
            if let refusal = admission.admit(uid: credentials.uid, privileged: isAdmin, limits: current.admission) {
                refuse(connection, over: refusal, now: now)
                return
            }
            connection.peer = PeerContext(
                connectionID: id, pid: credentials.pid, uid: credentials.uid, gid: credentials.gid, isAdmin: isAdmin)
            noteDeadline(connection)
            server.handler.connectionOpened(id)
            logger.debug("accepted \(connection.logName)\(isAdmin ? " (admin)" : "")")
        case .refused:
            statistics.connectionsRefused.bump()
            let message = current.access.refusalMessage(for: credentials)
            logger.notice("refused \(connection.logName): \(message)")
            perform(connection.state.refuse(ErrorPayload(code: .permissionDenied, message: message)), on: connection, now: now)
            flush(connection, now: now)
        }
    }

    /// Ends `connection`, which the access rules allow but ``admission`` refuses, with FATAL
    /// `too_many_connections`; the log line is throttled (a client retrying in a loop would
    /// flood the journal).
    private func refuse(_ connection: ServerConnection, over refusal: AdmissionRefusal, now: ContinuousClock.Instant) {
        statistics.connectionsRefused.bump()
        if let heldBack = refusalLog.admit(now: now) {
            logger.notice(
                "refused \(connection.logName): too many connections (\(refusal.limitName)): \(refusal.message)\(LogThrottle.note(heldBack: heldBack))")
        }
        perform(connection.state.refuse(refusal.payload), on: connection, now: now)
        flush(connection, now: now)
    }

    /// The live ``AdmissionLimits/acceptCeiling``: sockets held at most.
    private var acceptCeiling: Int { server.live.withLock { $0.admission.acceptCeiling } }

    private func pauseAccepting(until resume: ContinuousClock.Instant?) {
        acceptResumeAt = resume
        guard listenerOpen, !acceptPaused else { return }
        acceptPaused = true
        try? epoll.modify(server.listener.fileDescriptor, interest: [], token: Self.listenerToken)
    }

    private func resumeAccepting() {
        guard listenerOpen, acceptPaused, acceptResumeAt == nil, connections.count < acceptCeiling else { return }
        acceptPaused = false
        try? epoll.modify(server.listener.fileDescriptor, interest: .readable, token: Self.listenerToken)
    }

    private func closeListener() {
        guard listenerOpen else { return }
        listenerOpen = false
        try? epoll.remove(server.listener.fileDescriptor)
        server.closeListener()
    }

    // MARK: Reading

    private func read(from connection: ServerConnection, now: ContinuousClock.Instant) {
        for _ in 0..<Self.readsPerWakeup {
            guard !connection.isClosed, !connection.isEnding, !connection.state.isClosing else { break }
            let outcome: SocketOutcome<ReceivedMessage>
            do {
                outcome = try connection.socket.receive(into: receiveBuffer, maxFDs: UnixSocket.maximumFDsPerMessage)
            } catch {
                apply(connection.closing.abort(.socketError(error.description)), to: connection, now: now)
                return
            }
            guard case .completed(let message) = outcome else { break }
            // Owned from here on: each descriptor is closed exactly once, by whoever holds it last.
            let fds = message.fds.map(ReceivedDescriptor.init(receiving:))
            statistics.bytesReceived.bump(message.byteCount)
            statistics.descriptorsReceived.bump(fds.count)
            let actions: [ConnectionAction<ReceivedDescriptor>]
            if message.controlTruncated {
                actions = connection.state.controlMessageTruncated(fds: fds)
            } else if message.isEndOfStream {
                actions = (fds.isEmpty ? [] : [.closeDescriptors(fds)]) + connection.state.endOfStream()
            } else {
                let bytes = UnsafeRawBufferPointer(rebasing: receiveBuffer[0..<message.byteCount])
                actions = connection.state.receive(bytes, fds: fds, now: now)
            }
            perform(actions, on: connection, now: now)
            if message.byteCount < receiveBuffer.count { break }
        }
        scheduleFlush(connection)
    }

    // MARK: Actions

    private func perform(
        _ actions: [ConnectionAction<ReceivedDescriptor>], on connection: ServerConnection, now: ContinuousClock.Instant
    ) {
        for action in actions {
            switch action {
            case .send(let frame):
                enqueue(OutboundFrame(frame), on: connection, now: now)
            case .dispatch(let message, let requestID, let fds):
                guard !connection.isClosed, var peer = connection.peer else {
                    fds.closeAll()
                    continue
                }
                statistics.requestsDispatched.bump()
                if case .ready(let version) = connection.state.phase { peer.protocolVersion = version }
                let route = ReplyRoute(connectionID: connection.id, requestID: requestID, mailbox: server.mailbox, logger: logger)
                server.handler.handle(
                    message, requestID: requestID, fds: fds.isEmpty ? .empty : OwnedDescriptors(taking: fds), peer: peer,
                    reply: { route.deliver($0) })
                if let reply = route.endHandling() {
                    complete(requestID: requestID, with: reply, on: connection, now: now)
                }
            case .closeDescriptors(let fds):
                fds.closeAll()
            case .close(let reason):
                beginClose(connection, reason: reason, now: now)
            }
        }
    }

    /// Queues the handler's `reply` to `requestID` on `connection` (written at the end of
    /// this turn of the loop). The frame keeps the reply's descriptors until it is sent; a
    /// reply answered with ERROR `internal` instead (it named descriptors it did not hold)
    /// lets them go here.
    private func complete(requestID: UInt32, with reply: HandlerReply, on connection: ServerConnection, now: ContinuousClock.Instant) {
        let held = reply.descriptors.map(\.fd.rawValue)
        let result = connection.state.complete(requestID: requestID, message: reply.message, holding: held)
        if let frame = result.frame {
            enqueue(OutboundFrame(frame, descriptors: frame.fds.isEmpty ? [] : reply.descriptors), on: connection, now: now)
        }
        perform(result.actions, on: connection, now: now)
        scheduleFlush(connection)
    }

    private func drainMailbox(now: ContinuousClock.Instant) {
        let (completions, stop, probes) = server.mailbox.take()
        for probe in probes { probe() }
        for completion in completions {
            guard let connection = connections[completion.connectionID], !connection.isClosed else { continue }
            complete(requestID: completion.requestID, with: completion.reply, on: connection, now: now)
        }
        if let stop {
            flushScheduled(now: now)
            beginStop(stop, now: now)
        }
    }

    private func beginStop(_ request: CompletionMailbox.StopRequest, now: ContinuousClock.Instant) {
        let deadline = now.advanced(by: request.grace)
        if var current = stopping {
            if !current.expired, deadline < current.deadline {
                current.deadline = deadline
                stopping = current
            }
            return
        }
        stopping = (deadline, request.grace, request.reason, false)
        logger.notice("stopping (\(request.reason)): waiting up to \(ConnectionState<ReceivedDescriptor>.text(request.grace)) for \(connections.count) open connection\(connections.count == 1 ? "" : "s") to finish")
        closeListener()
        for connection in Array(connections.values) where !connection.isClosed {
            perform(connection.state.beginShutdown(grace: request.grace, reason: request.reason), on: connection, now: now)
            flush(connection, now: now)
        }
    }

    // MARK: Writing

    /// Marks `connection` for writing at the end of this turn of the loop.
    private func scheduleFlush(_ connection: ServerConnection) {
        guard !connection.isFlushScheduled, !connection.isClosed else { return }
        connection.isFlushScheduled = true
        unflushed.append(connection)
    }

    /// Writes every connection marked by ``scheduleFlush(_:)``.
    private func flushScheduled(now: ContinuousClock.Instant) {
        guard !unflushed.isEmpty else { return }
        for connection in unflushed {
            connection.isFlushScheduled = false
            flush(connection, now: now)
        }
        unflushed.removeAll(keepingCapacity: true)
    }

    /// Queues `frame`; a frame that cannot be queued (the connection is closed, the frame
    /// empty) is dropped with the references it held.
    private func enqueue(_ frame: OutboundFrame, on connection: ServerConnection, now: ContinuousClock.Instant) {
        guard !connection.isClosed, connection.outbound.append(frame) == nil else { return }
        let queued = connection.outbound.queuedBytes
        if queued > settings.maxQueuedBytesPerConnection {
            statistics.slowReadersDropped.bump()
            logger.warning("dropping \(connection.logName): it stopped reading with \(queued) bytes of replies queued")
            apply(connection.closing.abort(.slowReader(queuedBytes: queued)), to: connection, now: now)
        }
    }

    /// Writes as much of the outbound queue as the socket takes, then closes a closing
    /// connection whose queue is empty, or updates the epoll interest.
    private func flush(_ connection: ServerConnection, now: ContinuousClock.Instant) {
        guard !connection.isClosed else { return }
        while let write = connection.outbound.nextWrite(maxBytes: Self.maxWriteBytes) {
            let socket = connection.socket
            let fds = write.fds.map { FileDescriptor(rawValue: $0) }
            let result = write.bytes.withUnsafeBytes { raw in
                Result { () throws(SystemError) in
                    try socket.send(UnsafeRawBufferPointer(rebasing: raw[write.offset...]), fds: fds)
                }
            }
            let sent: Int
            switch result {
            case .success(.completed(let count)): sent = count
            case .success(.wouldBlock):
                updateInterest(connection)
                return
            case .failure(let error):
                apply(connection.closing.abort(.socketError(error.description)), to: connection, now: now)
                return
            }
            statistics.bytesSent.bump(sent)
            statistics.descriptorsSent.bump(fds.count)
            connection.outbound.consume(sent) { _ in statistics.framesSent.bump() }
        }
        if connection.isEnding {
            apply(connection.closing.queueDrained(), to: connection, now: now)
            return
        }
        updateInterest(connection)
    }

    /// Records whether `connection` has a deadline the loop must watch.
    private func noteDeadline(_ connection: ServerConnection) {
        let timed = !connection.isClosed && connection.hasDeadline
        guard timed != connection.isTimed else { return }
        connection.isTimed = timed
        if timed {
            self.timed.insert(connection.id)
        } else {
            self.timed.remove(connection.id)
        }
    }

    /// Registers the interest set the connection needs now (and notes its deadline: every
    /// path that changes one ends here).
    private func updateInterest(_ connection: ServerConnection) {
        noteDeadline(connection)
        let wanted = connection.wantedInterest
        guard !connection.isClosed, wanted != connection.interest else { return }
        do {
            try epoll.modify(connection.socket.fileDescriptor, interest: wanted, token: connection.id)
            connection.interest = wanted
        } catch {
            logger.error("epoll_ctl failed for \(connection.logName): \(error); closing it")
            apply(connection.closing.abort(.socketError(error.description)), to: connection, now: .now)
        }
    }

    // MARK: Closing

    private func beginClose(_ connection: ServerConnection, reason: ConnectionCloseReason, now: ContinuousClock.Instant) {
        guard !connection.isClosed, !connection.isEnding else { return }
        if case .fatal(let payload) = reason {
            statistics.fatalErrors.bump()
            logger.info("\(connection.logName): \(reason)", metadata: ["code": "\(payload.name)"])
        }
        let action = connection.closing.end(
            reason, hasQueuedFrames: !connection.outbound.isEmpty, now: now, linger: settings.closeLinger)
        apply(action, to: connection, now: now)
    }

    /// Takes the action the connection's ``ConnectionClosing`` returned.
    private func apply(_ action: ConnectionClosing.Action, to connection: ServerConnection, now: ContinuousClock.Instant) {
        switch action {
        case .none: break
        case .linger: updateInterest(connection)
        case .close(let reason): tearDown(connection, reason: reason)
        }
    }

    /// Closes the socket of a connection its ``ConnectionClosing`` closed and forgets it.
    private func tearDown(_ connection: ServerConnection, reason: ConnectionCloseReason) {
        try? epoll.remove(connection.socket.fileDescriptor)
        do {
            try connection.socket.close()
        } catch {
            logger.debug("closing the socket of \(connection.logName) failed: \(error)")
        }
        connection.state.abandon().closeAll()
        _ = connection.outbound.removeAll()  // unsent frames let their descriptors' owners go
        connections.removeValue(forKey: connection.id)
        timed.remove(connection.id)
        connection.isTimed = false
        statistics.connectionsOpen.drop()
        logger.debug("closed \(connection.logName): \(reason)")
        if connection.peer != nil {
            admission.release(uid: connection.credentials.uid)
            server.handler.connectionClosed(connection.id)
        }
        if acceptPaused, acceptResumeAt == nil { resumeAccepting() }
    }
}
