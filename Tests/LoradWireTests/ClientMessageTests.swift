import Testing

@testable import LoradWire

@Suite struct ClientMessageTests {
    @Test(arguments: clientSamples)
    func roundTripsWholeAndByteByByte(sample: Sample) throws {
        let frame = try sample.encode()
        #expect(frame.fds == sample.fds)
        #expect(try decodeOne(frame.bytes, fds: frame.fds, client: true) == sample.message)
        #expect(try decodeOne(frame.bytes, fds: frame.fds, client: true, chunkSize: 1) == sample.message)
        guard case .client(let message) = sample.message else { return }
        #expect(UInt16(frame.bytes[4]) | UInt16(frame.bytes[5]) << 8 == message.opcode.rawValue)
        #expect(message.opcode.kind == .request)
    }

    @Test(arguments: clientSamples)
    func ignoresTrailingBytes(sample: Sample) throws {
        let frame = try sample.encode()
        let longer = frame.bytes.withPayload(frame.bytes.payload + [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(try decodeOne(longer, fds: frame.fds, client: true) == sample.message)
    }

    @Test(arguments: clientSamples)
    func rejectsEveryTruncation(sample: Sample) throws {
        let frame = try sample.encode()
        let payload = frame.bytes.payload
        for length in 0..<payload.count {
            let error = caught { () throws(WireError) in
                try decodeOne(frame.bytes.withPayload(Array(payload.prefix(length))), fds: frame.fds, client: true)
            }
            #expect(error?.code == .malformedFrame || error?.code == .fdCountMismatch, "length \(length)")
            #expect(error?.code.isFatal == true)
        }
    }

    @Test(arguments: serverSamples)
    func refusesServerOpcodes(sample: Sample) throws {
        let frame = try sample.encode()
        let error = caught { () throws(WireError) in try decodeOne(frame.bytes, fds: frame.fds, client: true) }
        #expect(error?.code == .protocolViolation)
    }

    @Test func unknownRequestOpcodesAreNotFatal() throws {
        let frame = try ClientMessage.ping(PingRequest(token: 1)).encode(requestID: 5)
        for opcode: UInt16 in [0x0004, 0x0100, 0x3FFF] {
            let error = caught { () throws(WireError) in
                try decodeOne(frame.bytes.settingLittleEndian(opcode, at: 4), fds: [], client: true)
            }
            #expect(error?.code == .unknownOpcode)
            #expect(error?.code.isFatal == false)
        }
        let reserved = caught { () throws(WireError) in
            try decodeOne(frame.bytes.settingLittleEndian(UInt16(0), at: 4), fds: [], client: true)
        }
        #expect(reserved?.code == .protocolViolation)
    }

    @Test func requestIDZeroIsRefusedBothWays() throws {
        let message = ClientMessage.ping(PingRequest(token: 1))
        #expect(caught { () throws(WireError) in try message.encode(requestID: 0) }?.code == .invalidArgument)
        let frame = try message.encode(requestID: 5)
        let error = caught { () throws(WireError) in
            try decodeOne(frame.bytes.settingLittleEndian(UInt32(0), at: 12), fds: [], client: true)
        }
        #expect(error?.code == .protocolViolation)
    }

    @Test func countsOverTheirLimitsAreRefusedBothWays() throws {
        let tooMany = (0...WireLimits.maxActiveAdapters).map {
            WeightedAdapter(adapter: AdapterRef(name: "a\($0)"), weight: 1)
        }
        let message = ClientMessage.switchAdapters(SwitchRequest(sessionID: 1, adapters: tooMany))
        let encodeError = caught { () throws(WireError) in try message.encode(requestID: 1) }
        #expect(encodeError?.code == .invalidArgument)
        #expect(encodeError?.message.contains("adapters") == true)

        // The same list, encoded by hand: session id, then a count of 65.
        let empty = try ClientMessage.switchAdapters(SwitchRequest(sessionID: 1, adapters: [])).encode(requestID: 1)
        var payload = empty.bytes.payload
        payload.setLittleEndian(UInt16(65), at: 8)
        let decodeError = caught { () throws(WireError) in
            try decodeOne(empty.bytes.withPayload(payload), fds: [], client: true)
        }
        #expect(decodeError?.code == .malformedFrame)
    }

    @Test func badUTF8InANameIsMalformed() throws {
        let frame = try ClientMessage.detach(DetachRequest(sessionID: 1, name: "ab")).encode(requestID: 3)
        var bytes = frame.bytes
        bytes[bytes.count - 2] = 0xFF
        let error = caught { () throws(WireError) in try decodeOne(bytes, fds: [], client: true) }
        #expect(error?.code == .malformedFrame)
        #expect(error?.message.contains("UTF-8") == true)
    }

    @Test func descriptorFieldsMustMatchTheFrame() throws {
        let frame = try ClientMessage.exportAdapter(ExportRequest(adapter: AdapterRef(name: "x"), output: 77))
            .encode(requestID: 4)
        #expect(frame.fds == [77])
        // Index 1 while the frame carries one descriptor.
        var bytes = frame.bytes
        bytes.setLittleEndian(UInt16(1), at: bytes.count - 2)
        #expect(
            caught { () throws(WireError) in try decodeOne(bytes, fds: [77], client: true) }?.code == .fdCountMismatch)
        // A frame that carries a descriptor the payload never names.
        let ping = try ClientMessage.ping(PingRequest(token: 1)).encode(requestID: 5)
        let unnamed = ping.bytes.settingLittleEndian(UInt16(1), at: 8)
        #expect(
            caught { () throws(WireError) in try decodeOne(unnamed, fds: [9], client: true) }?.code == .fdCountMismatch)
    }

    @Test func nonFiniteWeightsTravelBitExactForTheServerToJudge() throws {
        let nan = Double(bitPattern: 0x7FF8_0000_0000_1234)
        let message = ClientMessage.attach(AttachRequest(sessionID: 1, adapter: AdapterRef(name: "a"), weight: nan))
        let frame = try message.encode(requestID: 1)
        guard case .client(.attach(let decoded)) = try decodeOne(frame.bytes, fds: [], client: true) else {
            Issue.record("not an attach")
            return
        }
        #expect(decoded.weight.bitPattern == nan.bitPattern)
    }

    @Test func frameCapAppliesToEncoding() throws {
        let description = String(repeating: "d", count: WireLimits.maxDescriptionBytes)
        let request = ImportRequest(
            name: "n", files: [ImportFile(fileName: "a.safetensors", fd: 3)], description: description, tags: [],
            newVersion: false)
        let small = FrameLimits(maxFrameBytes: 4096, maxFDsPerFrame: 8)
        let error = caught { () throws(WireError) in
            try ClientMessage.importAdapter(request).encode(requestID: 1, limits: small)
        }
        #expect(error?.code == .frameTooLarge)
        _ = try ClientMessage.importAdapter(request).encode(requestID: 1)
    }
}
