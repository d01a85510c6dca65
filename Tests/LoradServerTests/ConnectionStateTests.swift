import LoradServer
import LoradServerTestSupport
import LoradWire
import Testing

@Suite struct ConnectionStateTests {
    let t0 = ContinuousClock.now
    let settings = ConnectionSettings(
        serverName: "lorad/test", frameLimits: FrameLimits(maxFrameBytes: 8192, maxFDsPerFrame: 4),
        maxRequestsInFlight: 3, handshakeTimeout: .seconds(5), partialFrameTimeout: .seconds(30))

    /// A connection that has finished HELLO.
    func ready() throws -> ConnectionState<Int32> {
        var state = ConnectionState<Int32>(settings: settings, now: t0)
        let actions = state.receive(try helloFrame().bytes, now: t0)
        #expect(try sentFrames(actions).count == 1)
        return state
    }

    /// Asserts `actions` send exactly one FATAL with `code` and `requestID`, then close.
    func expectFatal(
        _ actions: [ConnectionAction<Int32>], _ code: ErrorCode, requestID: UInt32 = 0,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let frames = try sentFrames(actions)
        #expect(frames.count == 1, sourceLocation: sourceLocation)
        guard case .fatal(let payload)? = frames.first?.message else {
            Issue.record("expected FATAL \(code), got \(frames)", sourceLocation: sourceLocation)
            return
        }
        #expect(payload.code == code, "\(payload)", sourceLocation: sourceLocation)
        #expect(!payload.message.isEmpty, sourceLocation: sourceLocation)
        #expect(frames.first?.requestID == requestID, sourceLocation: sourceLocation)
        #expect(closeReason(actions) == .fatal(payload), sourceLocation: sourceLocation)
        #expect(dispatched(actions).isEmpty, sourceLocation: sourceLocation)
        if case .close = actions.last {} else { Issue.record("close is not the last action", sourceLocation: sourceLocation) }
    }

    // MARK: Handshake

    @Test func helloIsAnsweredWithVersionAndLimits() throws {
        var state = ConnectionState<Int32>(settings: settings, now: t0)
        #expect(state.handshakeDeadline == t0.advanced(by: .seconds(5)))
        let actions = state.receive(try helloFrame(id: 9).bytes, now: t0)
        let frames = try sentFrames(actions)
        #expect(
            frames == [
                SentFrame(
                    message: .hello(
                        HelloReply(
                            version: .current, serverName: "lorad/test", maxFrameBytes: 8192, maxFDsPerFrame: 4,
                            maxRequestsInFlight: 3)), requestID: 9, fds: [])
            ])
        #expect(state.phase == .ready(.current))
        #expect(state.handshakeDeadline == nil)
        #expect(state.nextDeadline == nil)
        #expect(state.frameLimits == settings.frameLimits)
    }

    @Test func helloOfferingARangeGetsTheHighestSpokenVersion() throws {
        var state = ConnectionState<Int32>(
            settings: ConnectionSettings(supportedVersions: [ProtocolVersion(major: 1, minor: 0)]), now: t0)
        let hello = try helloFrame(minVersion: ProtocolVersion(major: 0, minor: 9), maxVersion: ProtocolVersion(major: 1, minor: 5))
        let frames = try sentFrames(state.receive(hello.bytes, now: t0))
        guard case .hello(let reply)? = frames.first?.message else { Issue.record("no HELLO_REPLY"); return }
        #expect(reply.version == ProtocolVersion(major: 1, minor: 0))
    }

    @Test(arguments: [
        (ProtocolVersion(major: 2, minor: 0), ProtocolVersion(major: 2, minor: 3)),
        (ProtocolVersion(major: 0, minor: 1), ProtocolVersion(major: 0, minor: 9)),
        (ProtocolVersion(major: 1, minor: 1), ProtocolVersion(major: 1, minor: 0)),
    ])
    func unknownVersionIsFatal(minVersion: ProtocolVersion, maxVersion: ProtocolVersion) throws {
        var state = ConnectionState<Int32>(settings: settings, now: t0)
        let actions = state.receive(try helloFrame(id: 4, minVersion: minVersion, maxVersion: maxVersion).bytes, now: t0)
        try expectFatal(actions, .unsupportedVersion, requestID: 4)
        #expect(state.isClosing)
        if case .fatal(let payload)? = try sentFrames(actions).first?.message {
            #expect(payload.message.contains("1.0"))
        }
    }

    @Test func requestBeforeHelloIsFatal() throws {
        var state = ConnectionState<Int32>(settings: settings, now: t0)
        try expectFatal(state.receive(try pingFrame(id: 3).bytes, now: t0), .handshakeRequired, requestID: 3)
        #expect(state.receive(try helloFrame().bytes, now: t0).isEmpty, "nothing is read after FATAL")
    }

    @Test func requestBeforeHelloClosesItsDescriptors() throws {
        var state = ConnectionState<Int32>(settings: settings, now: t0)
        let export = try ClientMessage.exportAdapter(ExportRequest(adapter: AdapterRef(name: "a"), output: 50))
            .encode(requestID: 2)
        let actions = state.receive(export.bytes, fds: [77], now: t0)
        try expectFatal(actions, .handshakeRequired, requestID: 2)
        #expect(closedDescriptors(actions) == [77])
    }

    @Test func malformedHelloIsFatal() throws {
        var state = ConnectionState<Int32>(settings: settings, now: t0)
        let bytes = rawFrame(opcode: Opcode.hello.rawValue, requestID: 1, payload: [1, 0])
        try expectFatal(state.receive(bytes, now: t0), .malformedFrame, requestID: 1)
    }

    @Test func secondHelloIsAProtocolViolation() throws {
        var state = try ready()
        try expectFatal(state.receive(try helloFrame(id: 2).bytes, now: t0), .protocolViolation, requestID: 2)
    }

    @Test func handshakeTimeoutIsFatal() throws {
        var state = ConnectionState<Int32>(settings: settings, now: t0)
        #expect(state.nextDeadline == t0.advanced(by: .seconds(5)))
        #expect(state.hasDeadline)
        #expect(state.checkDeadlines(now: t0.advanced(by: .milliseconds(4999))).isEmpty)
        let actions = state.checkDeadlines(now: t0.advanced(by: .seconds(5)))
        try expectFatal(actions, .handshakeRequired)
        #expect(state.nextDeadline == nil)
        #expect(!state.hasDeadline)
        #expect(state.checkDeadlines(now: t0.advanced(by: .seconds(60))).isEmpty)
    }

    @Test func handshakeTimeoutClosesDescriptorsOfAPartialFrame() throws {
        var state = ConnectionState<Int32>(settings: settings, now: t0)
        let hello = try helloFrame().bytes
        #expect(state.receive(hello.prefix(10), fds: [31], now: t0).isEmpty)
        let actions = state.checkDeadlines(now: t0.advanced(by: .seconds(6)))
        try expectFatal(actions, .handshakeRequired)
        #expect(closedDescriptors(actions) == [31])
    }

    // MARK: Framing errors

    @Test func nonZeroReservedFieldIsMalformed() throws {
        var state = try ready()
        let bytes = rawFrame(opcode: Opcode.ping.rawValue, requestID: 2, payload: Array(repeating: 0, count: 8), reserved: 1)
        try expectFatal(state.receive(bytes, now: t0), .malformedFrame)
    }

    @Test func unknownCriticalFlagIsMalformed() throws {
        var state = try ready()
        let bytes = rawFrame(opcode: Opcode.ping.rawValue, requestID: 2, payload: Array(repeating: 0, count: 8), flags: 0x01)
        try expectFatal(state.receive(bytes, now: t0), .malformedFrame)
    }

    @Test func unknownAdvisoryFlagIsIgnored() throws {
        var state = try ready()
        let bytes = rawFrame(opcode: Opcode.ping.rawValue, requestID: 2, payload: Array(repeating: 0, count: 8), flags: 0x0100)
        #expect(dispatched(state.receive(bytes, now: t0)).map(\.requestID) == [2])
    }

    @Test func truncatedPayloadIsMalformed() throws {
        var state = try ready()
        let bytes = rawFrame(opcode: Opcode.ping.rawValue, requestID: 5, payload: [1, 2, 3])
        try expectFatal(state.receive(bytes, now: t0), .malformedFrame, requestID: 5)
    }

    @Test func frameOverTheAnnouncedLimitIsFatalBeforeItsPayloadArrives() throws {
        var state = try ready()
        let header = rawFrame(opcode: Opcode.ping.rawValue, requestID: 2, length: 8192 - 16 + 1)
        try expectFatal(state.receive(header, now: t0), .frameTooLarge)
    }

    @Test func theDefaultLimitAppliesBeforeHello() throws {
        var state = ConnectionState<Int32>(settings: settings, now: t0)
        // 10000 bytes exceed the announced 8192 but not the 65536 default: not yet an error...
        let header = rawFrame(opcode: Opcode.hello.rawValue, requestID: 1, length: 10000)
        #expect(state.receive(header, now: t0).isEmpty)
        // ...but 65537 does.
        var other = ConnectionState<Int32>(settings: settings, now: t0)
        try expectFatal(other.receive(rawFrame(opcode: Opcode.hello.rawValue, requestID: 1, length: 65537 - 16), now: t0), .frameTooLarge)
    }

    @Test func tooManyDescriptorsInTheHeaderIsFatal() throws {
        var state = try ready()
        let bytes = rawFrame(opcode: Opcode.ping.rawValue, requestID: 2, payload: Array(repeating: 0, count: 8), fdCount: 5)
        let actions = state.receive(bytes, fds: [10, 11, 12, 13, 14], now: t0)
        try expectFatal(actions, .frameTooLarge)
        #expect(closedDescriptors(actions).sorted() == [10, 11, 12, 13, 14])
    }

    @Test func missingDescriptorsAreAMismatch() throws {
        var state = try ready()
        let export = try ClientMessage.exportAdapter(ExportRequest(adapter: AdapterRef(name: "a"), output: 50))
            .encode(requestID: 2)
        try expectFatal(state.receive(export.bytes, fds: [], now: t0), .fdCountMismatch)
    }

    @Test func descriptorsWithoutAFrameAreAMismatch() throws {
        var state = try ready()
        let actions = state.receive([], fds: [40, 41], now: t0)
        try expectFatal(actions, .fdCountMismatch)
        #expect(closedDescriptors(actions) == [40, 41])
    }

    @Test func descriptorNotNamedByThePayloadIsAMismatch() throws {
        var state = try ready()
        var bytes = try pingFrame(id: 2).bytes
        bytes[8] = 1  // fd_count 1, but PING names no descriptor
        let actions = state.receive(bytes, fds: [60], now: t0)
        try expectFatal(actions, .fdCountMismatch, requestID: 2)
        #expect(closedDescriptors(actions) == [60])
    }

    @Test func truncatedControlMessageIsFatal() throws {
        var state = try ready()
        let actions = state.controlMessageTruncated(fds: [8, 9])
        try expectFatal(actions, .fdCountMismatch)
        #expect(closedDescriptors(actions) == [8, 9])
    }

    @Test func unknownRequestOpcodeIsAnErrorReplyAndTheConnectionGoesOn() throws {
        var state = try ready()
        let bytes = rawFrame(opcode: 0x0099, requestID: 6, payload: [1, 2, 3, 4], fdCount: 1)
        let actions = state.receive(bytes, fds: [70], now: t0)
        let frames = try sentFrames(actions)
        #expect(frames.map(\.requestID) == [6])
        #expect(frames.first.flatMap { errorCode($0.message) } == .unknownOpcode)
        if case .error = frames.first?.message {} else { Issue.record("expected ERROR, not FATAL") }
        #expect(closedDescriptors(actions) == [70])
        #expect(closeReason(actions) == nil)
        #expect(dispatched(state.receive(try pingFrame(id: 7).bytes, now: t0)).map(\.requestID) == [7])
    }

    @Test func unknownOpcodeWithAnIdInFlightIsAViolation() throws {
        var state = try ready()
        _ = state.receive(try pingFrame(id: 6).bytes, now: t0)
        try expectFatal(state.receive(rawFrame(opcode: 0x0099, requestID: 6), now: t0), .protocolViolation, requestID: 6)
    }

    @Test(arguments: [Opcode.pingReply.rawValue, Opcode.shuttingDown.rawValue, Opcode.error.rawValue, Opcode.fatal.rawValue, 0xC000])
    func nonRequestOpcodeFromAClientIsAViolation(opcode: UInt16) throws {
        var state = try ready()
        try expectFatal(state.receive(rawFrame(opcode: opcode, requestID: 3, payload: [0, 0]), now: t0), .protocolViolation, requestID: 3)
    }

    @Test func requestIDZeroIsAViolation() throws {
        var state = try ready()
        let bytes = rawFrame(opcode: Opcode.ping.rawValue, requestID: 0, payload: Array(repeating: 0, count: 8))
        try expectFatal(state.receive(bytes, now: t0), .protocolViolation)
    }

    // MARK: Requests

    @Test func pipelinedRequestsAreDispatchedInOrderAndAnsweredInAnyOrder() throws {
        var state = try ready()
        let bytes = try [3, 1, 2].flatMap { try pingFrame(id: UInt32($0), token: UInt64($0) * 10).bytes }
        let requests = dispatched(state.receive(bytes, now: t0))
        #expect(requests.map(\.requestID) == [3, 1, 2])
        #expect(requests.map(\.message) == [.ping(PingRequest(token: 30)), .ping(PingRequest(token: 10)), .ping(PingRequest(token: 20))])
        #expect(state.inFlight == [1, 2, 3])
        for id: UInt32 in [2, 3, 1] {
            let completion = state.complete(requestID: id, message: .ping(PingReply(token: UInt64(id))))
            let frame = try decodeServerFrame(try #require(completion.frame))
            #expect(frame == SentFrame(message: .ping(PingReply(token: UInt64(id))), requestID: id, fds: []))
            #expect(completion.actions.isEmpty)
        }
        #expect(state.inFlight.isEmpty)
    }

    @Test func idsMayBeReusedOnceAnswered() throws {
        var state = try ready()
        _ = state.receive(try pingFrame(id: 5).bytes, now: t0)
        _ = state.complete(requestID: 5, message: .ping(PingReply(token: 0)))
        #expect(dispatched(state.receive(try pingFrame(id: 5).bytes, now: t0)).count == 1)
    }

    @Test func idAlreadyInFlightIsAViolation() throws {
        var state = try ready()
        _ = state.receive(try pingFrame(id: 5).bytes, now: t0)
        try expectFatal(state.receive(try pingFrame(id: 5).bytes, now: t0), .protocolViolation, requestID: 5)
        #expect(state.complete(requestID: 5, message: .ping(PingReply(token: 0))).frame == nil, "replies after FATAL are dropped")
    }

    @Test func requestsOverTheInFlightLimitGetTooManyRequests() throws {
        var state = try ready()
        let export = try ClientMessage.exportAdapter(ExportRequest(adapter: AdapterRef(name: "a"), output: 50))
            .encode(requestID: 4)
        var bytes = try (1...3).flatMap { try pingFrame(id: UInt32($0)).bytes }
        bytes += export.bytes
        let actions = state.receive(bytes, fds: [90], now: t0)
        #expect(dispatched(actions).map(\.requestID) == [1, 2, 3])
        let frames = try sentFrames(actions)
        #expect(frames.map(\.requestID) == [4])
        #expect(frames.first.flatMap { errorCode($0.message) } == .tooManyRequests)
        #expect(closedDescriptors(actions) == [90])
        #expect(closeReason(actions) == nil)
        _ = state.complete(requestID: 2, message: .ping(PingReply(token: 0)))
        #expect(dispatched(state.receive(try pingFrame(id: 4).bytes, now: t0)).map(\.requestID) == [4])
    }

    @Test func descriptorsGoWithTheirRequest() throws {
        var state = try ready()
        let export = try ClientMessage.exportAdapter(ExportRequest(adapter: AdapterRef(name: "a"), output: 50))
            .encode(requestID: 8)
        let requests = dispatched(state.receive(export.bytes, fds: [33], now: t0))
        #expect(requests.count == 1)
        #expect(requests.first?.fds == [33])
        #expect(requests.first?.message == .exportAdapter(ExportRequest(adapter: AdapterRef(name: "a"), output: 33)))
    }

    /// A GET_SEGMENTS reply whose segment `fd` fields name `fds`, in that order.
    func sessionReply(naming fds: [Int32]) -> ServerMessage {
        .getSegments(
            SessionReply(
                sessionID: 1, base: "b", mode: .factors, generation: 0,
                active: fds.dropFirst().indices.map { ActiveAdapter(name: "a\($0)", version: 1, weight: 1) },
                segments: fds.enumerated().map { position, fd in
                    SegmentDescriptor(
                        kind: position == 0 ? .base : .factors, segmentID: UInt64(position + 1), byteSize: 4096, fd: fd,
                        adapterIndex: position == 0 ? nil : UInt16(position - 1))
                }))
    }

    @Test func aReplySendsExactlyTheDescriptorsItNamesInNamingOrder() throws {
        var state = try ready()
        _ = state.receive(try ClientMessage.getSegments(GetSegmentsRequest(sessionID: 1)).encode(requestID: 2).bytes, now: t0)
        // The payload names 456 first, then 123 (the reply holds them the other way round):
        // the frame passes them in naming order and the wire fields hold their indexes.
        let completion = state.complete(requestID: 2, message: sessionReply(naming: [456, 123]), holding: [123, 456])
        let frame = try #require(completion.frame)
        #expect(frame.fds == [456, 123])
        #expect(frame == (try sessionReply(naming: [456, 123]).encode(requestID: 2, limits: settings.frameLimits)))
        let decoded = try decodeServerFrame(frame)
        guard case .getSegments(let reply) = decoded.message else { Issue.record("expected GET_SEGMENTS_REPLY"); return }
        #expect(reply.segments.map(\.fd) == [456, 123])
    }

    @Test func aDescriptorHeldTwiceMayBeNamedTwice() throws {
        var state = try ready()
        _ = state.receive(try ClientMessage.getSegments(GetSegmentsRequest(sessionID: 1)).encode(requestID: 2).bytes, now: t0)
        let completion = state.complete(requestID: 2, message: sessionReply(naming: [9, 5, 5]), holding: [5, 9, 5])
        #expect(completion.frame?.fds == [9, 5, 5])
    }

    @Test(arguments: [
        ([Int32](), [Int32](arrayLiteral: 5)), ([5, 7], [5, 6]), ([5, 5], [5, 6]), ([5], [5, 6]), ([5, 6], []),
    ])
    func replyNamingOtherDescriptorsThanItHoldsBecomesAnInternalError(named: [Int32], held: [Int32]) throws {
        var state = try ready()
        _ = state.receive(try ClientMessage.getSegments(GetSegmentsRequest(sessionID: 1)).encode(requestID: 2).bytes, now: t0)
        let completion = state.complete(requestID: 2, message: sessionReply(naming: named), holding: held)
        let frame = try #require(completion.frame)
        #expect(frame.fds.isEmpty)
        #expect(errorCode(try decodeServerFrame(frame).message) == .internal)
    }

    @Test func completionOfAnUnknownIdIsDropped() throws {
        var state = try ready()
        #expect(state.complete(requestID: 44, message: .ping(PingReply(token: 0))) == ConnectionState<Int32>.Completion(frame: nil, actions: []))
    }

    @Test func replyTooLargeForTheFrameBecomesAnInternalError() throws {
        var state = try ready()
        _ = state.receive(try ClientMessage.listBases(ListBasesRequest()).encode(requestID: 2).bytes, now: t0)
        let bases = (0..<200).map { BaseInfo(name: "base-\($0)-" + String(repeating: "x", count: 100), state: .ready, byteSize: 1, tensorCount: 1) }
        let completion = state.complete(requestID: 2, message: .listBases(ListBasesReply(bases: bases)))
        let frame = try decodeServerFrame(try #require(completion.frame))
        #expect(frame.requestID == 2)
        #expect(errorCode(frame.message) == .internal)
    }

    // MARK: Byte by byte

    @Test func byteByByteFeedingGivesTheSameActions() throws {
        var whole = ConnectionState<Int32>(settings: settings, now: t0)
        var split = ConnectionState<Int32>(settings: settings, now: t0)
        let export = try ClientMessage.exportAdapter(ExportRequest(adapter: AdapterRef(name: "zz", version: 3), output: 0))
            .encode(requestID: 12)
        let stream = try helloFrame().bytes + pingFrame(id: 10, token: 99).bytes + export.bytes + pingFrame(id: 11).bytes
        let exportStart = try helloFrame().bytes.count + pingFrame(id: 10).bytes.count
        let expected = whole.receive(stream[...].prefix(exportStart), now: t0)
            + whole.receive(stream[exportStart...], fds: [55], now: t0)
        var actions: [ConnectionAction<Int32>] = []
        for index in stream.indices {
            actions += split.receive([stream[index]], fds: index == exportStart ? [55] : [], now: t0)
        }
        #expect(actions == expected)
        #expect(dispatched(actions).map(\.requestID) == [10, 12, 11])
        #expect(split.partialFrameDeadline == nil)
    }

    @Test func byteByByteFeedingOfEveryFatalPathMatchesWholeFeeding() throws {
        let streams: [[UInt8]] = [
            try pingFrame(id: 1).bytes,
            try helloFrame().bytes + rawFrame(opcode: Opcode.ping.rawValue, requestID: 2, reserved: 9),
            try helloFrame().bytes + rawFrame(opcode: Opcode.ping.rawValue, requestID: 2, payload: [1]),
            try helloFrame().bytes + helloFrame(id: 2).bytes,
            try helloFrame(minVersion: ProtocolVersion(major: 3, minor: 0), maxVersion: ProtocolVersion(major: 3, minor: 0)).bytes,
        ]
        for stream in streams {
            var whole = ConnectionState<Int32>(settings: settings, now: t0)
            var split = ConnectionState<Int32>(settings: settings, now: t0)
            let expected = whole.receive(stream, now: t0)
            let actions = stream.flatMap { split.receive([$0], now: t0) }
            #expect(actions == expected)
            #expect(closeReason(actions) != nil)
        }
    }

    // MARK: Partial frames and end of stream

    @Test func partialFrameTimeoutCountsFromTheFramesFirstByte() throws {
        var state = try ready()
        let ping = try pingFrame(id: 2).bytes
        #expect(state.receive(ping.prefix(5), now: t0).isEmpty)
        #expect(state.partialFrameDeadline == t0.advanced(by: .seconds(30)))
        // More bytes of the same frame do not extend it.
        #expect(state.receive(ping[5..<9], now: t0.advanced(by: .seconds(20))).isEmpty)
        #expect(state.nextDeadline == t0.advanced(by: .seconds(30)))
        #expect(state.checkDeadlines(now: t0.advanced(by: .seconds(29))).isEmpty)
        try expectFatal(state.checkDeadlines(now: t0.advanced(by: .seconds(30))), .protocolViolation)
    }

    @Test func completingTheFrameClearsTheDeadlineAndANewPartialFrameRestartsIt() throws {
        var state = try ready()
        let ping = try pingFrame(id: 2).bytes
        _ = state.receive(ping.prefix(3), now: t0)
        _ = state.receive(ping.dropFirst(3), now: t0.advanced(by: .seconds(1)))
        #expect(state.partialFrameDeadline == nil)
        let next = try pingFrame(id: 3).bytes
        _ = state.receive(ping.prefix(0) + next.prefix(4), now: t0.advanced(by: .seconds(2)))
        #expect(state.partialFrameDeadline == t0.advanced(by: .seconds(32)))
        let later = try pingFrame(id: 4).bytes
        _ = state.receive(next.dropFirst(4) + later.prefix(2), now: t0.advanced(by: .seconds(10)))
        #expect(state.partialFrameDeadline == t0.advanced(by: .seconds(40)))
    }

    @Test func endOfStreamMidFrameClosesItsDescriptors() throws {
        var state = try ready()
        let export = try ClientMessage.exportAdapter(ExportRequest(adapter: AdapterRef(name: "a"), output: 0))
            .encode(requestID: 2)
        #expect(state.receive(export.bytes.prefix(20), fds: [71], now: t0).isEmpty)
        let actions = state.endOfStream()
        #expect(closedDescriptors(actions) == [71])
        #expect(closeReason(actions) == .endOfStream(midFrame: true))
        #expect(try sentFrames(actions).isEmpty)
    }

    @Test func endOfStreamAtABoundaryIsClean() throws {
        var state = try ready()
        #expect(state.endOfStream() == [.close(.endOfStream(midFrame: false))])
        #expect(state.endOfStream().isEmpty)
    }

    // MARK: Refusal and shutdown

    @Test func refuseSendsFatalAndCloses() throws {
        var state = ConnectionState<Int32>(settings: settings, now: t0)
        let actions = state.refuse(ErrorPayload(code: .permissionDenied, message: "uid 5 may not connect"))
        try expectFatal(actions, .permissionDenied)
        #expect(state.refuse(ErrorPayload(code: .permissionDenied, message: "again")).isEmpty)
    }

    @Test func shutdownOfAnIdleConnectionSendsTheEventAndCloses() throws {
        var state = try ready()
        let actions = state.beginShutdown(grace: .milliseconds(2500), reason: "SIGTERM")
        let frames = try sentFrames(actions)
        #expect(frames == [SentFrame(message: .shuttingDown(ShuttingDownEvent(graceMilliseconds: 2500, reason: "SIGTERM")), requestID: 0, fds: [])])
        #expect(closeReason(actions) == .drained)
    }

    @Test func shutdownWaitsForRequestsInFlightAndRefusesNewOnes() throws {
        var state = try ready()
        _ = state.receive(try pingFrame(id: 1).bytes + pingFrame(id: 2).bytes, now: t0)
        let begin = state.beginShutdown(grace: .seconds(10), reason: "SIGTERM")
        #expect(closeReason(begin) == nil)
        #expect(state.isDraining)
        let late = state.receive(try pingFrame(id: 3).bytes, now: t0)
        #expect(try sentFrames(late).map { errorCode($0.message) } == [.shuttingDown])
        #expect(dispatched(late).isEmpty)
        #expect(state.complete(requestID: 1, message: .ping(PingReply(token: 1))).actions.isEmpty)
        let last = state.complete(requestID: 2, message: .ping(PingReply(token: 2)))
        #expect(last.frame != nil)
        #expect(last.actions == [.close(.drained)])
    }

    @Test func graceExpiryAnswersPendingRequestsWithShuttingDown() throws {
        var state = try ready()
        _ = state.receive(try pingFrame(id: 4).bytes + pingFrame(id: 2).bytes, now: t0)
        _ = state.beginShutdown(grace: .seconds(1), reason: "stop")
        let actions = state.shutdownGraceExpired()
        let frames = try sentFrames(actions)
        #expect(frames.map(\.requestID) == [2, 4])
        #expect(frames.allSatisfy { errorCode($0.message) == .shuttingDown })
        #expect(closeReason(actions) == .graceExpired)
        #expect(state.complete(requestID: 4, message: .ping(PingReply(token: 0))).frame == nil)
    }

    @Test func shutdownBeforeHelloClosesWithoutAnEvent() throws {
        var state = ConnectionState<Int32>(settings: settings, now: t0)
        #expect(state.beginShutdown(grace: .seconds(1), reason: "stop") == [.close(.drained)])
    }

    @Test func settingsValidation() {
        #expect(ConnectionSettings().validationProblem == nil)
        #expect(ConnectionSettings(maxRequestsInFlight: 0).validationProblem != nil)
        #expect(ConnectionSettings(frameLimits: FrameLimits(maxFrameBytes: 100, maxFDsPerFrame: 1)).validationProblem != nil)
        #expect(ConnectionSettings(serverName: String(repeating: "n", count: 129)).validationProblem != nil)
        #expect(ConnectionSettings(supportedVersions: []).validationProblem != nil)
        #expect(ConnectionSettings(handshakeTimeout: .zero).validationProblem != nil)
    }
}
