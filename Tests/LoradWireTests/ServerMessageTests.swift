import Testing

@testable import LoradWire

@Suite struct ServerMessageTests {
    @Test(arguments: serverSamples)
    func roundTripsWholeAndByteByByte(sample: Sample) throws {
        let frame = try sample.encode()
        #expect(frame.fds == sample.fds)
        #expect(try decodeOne(frame.bytes, fds: frame.fds, client: false) == sample.message)
        #expect(try decodeOne(frame.bytes, fds: frame.fds, client: false, chunkSize: 1) == sample.message)
    }

    @Test(arguments: serverSamples)
    func ignoresTrailingBytes(sample: Sample) throws {
        let frame = try sample.encode()
        let longer = frame.bytes.withPayload(frame.bytes.payload + [0x01, 0x02, 0x03])
        #expect(try decodeOne(longer, fds: frame.fds, client: false) == sample.message)
    }

    @Test(arguments: serverSamples)
    func rejectsEveryTruncation(sample: Sample) throws {
        let frame = try sample.encode()
        let payload = frame.bytes.payload
        for length in 0..<payload.count {
            let error = caught { () throws(WireError) in
                try decodeOne(frame.bytes.withPayload(Array(payload.prefix(length))), fds: frame.fds, client: false)
            }
            #expect(error?.code == .malformedFrame || error?.code == .fdCountMismatch, "length \(length)")
        }
    }

    @Test(arguments: clientSamples)
    func refusesRequestOpcodes(sample: Sample) throws {
        let frame = try sample.encode()
        let error = caught { () throws(WireError) in try decodeOne(frame.bytes, fds: frame.fds, client: false) }
        #expect(error?.code == .protocolViolation)
    }

    @Test func unknownEventsCanBeRecognisedAndSkipped() throws {
        let frame = try ServerMessage.shuttingDown(ShuttingDownEvent(graceMilliseconds: 1, reason: ""))
            .encode(requestID: 0)
        let unknown = frame.bytes.settingLittleEndian(UInt16(0x4002), at: 4)
        let decoded = try frames(from: unknown)
        let error = caught { () throws(WireError) in try ServerMessage(decoding: decoded[0]) }
        #expect(error?.code == .unknownOpcode)
        #expect(Opcode.kind(of: decoded[0].header.opcode) == .event)
    }

    @Test func requestIDRulesHoldBothWays() throws {
        let event = ServerMessage.shuttingDown(ShuttingDownEvent(graceMilliseconds: 1, reason: "x"))
        #expect(caught { () throws(WireError) in try event.encode(requestID: 3) }?.code == .invalidArgument)
        let reply = ServerMessage.ping(PingReply(token: 1))
        #expect(caught { () throws(WireError) in try reply.encode(requestID: 0) }?.code == .invalidArgument)
        let error = ServerMessage.error(ErrorPayload(code: .internal, message: "x"))
        #expect(caught { () throws(WireError) in try error.encode(requestID: 0) }?.code == .invalidArgument)
        let fatal = ServerMessage.fatal(ErrorPayload(code: .malformedFrame, message: "x"))
        _ = try fatal.encode(requestID: 0)
        _ = try fatal.encode(requestID: 9)

        let eventFrame = try event.encode(requestID: 0)
        let withID = eventFrame.bytes.settingLittleEndian(UInt32(3), at: 12)
        #expect(
            caught { () throws(WireError) in try decodeOne(withID, fds: [], client: false) }?.code == .malformedFrame)
        let replyFrame = try reply.encode(requestID: 2)
        let noID = replyFrame.bytes.settingLittleEndian(UInt32(0), at: 12)
        #expect(caught { () throws(WireError) in try decodeOne(noID, fds: [], client: false) }?.code == .malformedFrame)
    }

    @Test func sessionReplyOpcodesKeepTheirCase() throws {
        let state = SessionReply(sessionID: 1, base: "b", mode: .fused, generation: 0, active: [], segments: [])
        let cases: [(ServerMessage, Opcode)] = [
            (.openSession(state), .openSessionReply), (.attach(state), .attachReply), (.detach(state), .detachReply),
            (.switchAdapters(state), .switchAdaptersReply), (.getSegments(state), .getSegmentsReply),
        ]
        for (message, opcode) in cases {
            #expect(message.opcode == opcode)
            let frame = try message.encode(requestID: 1)
            #expect(try decodeOne(frame.bytes, fds: [], client: false) == .server(message))
        }
    }
}
