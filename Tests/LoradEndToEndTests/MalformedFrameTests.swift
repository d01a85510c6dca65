import LoradClient
import LoradSystem
import LoradWire
import Testing

extension EndToEndTests {
    /// Acceptance 3, frames: whatever a client sends, it gets the documented error frame
    /// (PROTOCOL.md, "Errors"), and other clients connected meanwhile go on working.
    @Suite struct MalformedFrameTests {
        /// A frame header (PROTOCOL.md, "Framing") with any field values, valid or not.
        static func header(
            length: UInt32, opcode: UInt16, flags: UInt16 = 0, fdCount: UInt16 = 0, reserved: UInt16 = 0, requestID: UInt32
        ) -> [UInt8] {
            func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
            return le(length) + le(opcode) + le(flags) + le(fdCount) + le(reserved) + le(requestID)
        }

        /// Sends `bytes` (with `fds`) after HELLO unless `handshake` is false, and checks the
        /// daemon answers FATAL `code` and closes the connection.
        func expectFatal(
            _ code: ErrorCode, sending bytes: [UInt8], fds: [FileDescriptor] = [], handshake: Bool = true,
            daemon: DaemonProcess, _ comment: Comment
        ) throws {
            let raw = try RawConnection(path: daemon.socketPath)
            if handshake { try raw.hello() }
            try raw.send(bytes, fds: fds)
            let (_, message) = try raw.nextMessage()
            guard case .fatal(let payload) = message else {
                Issue.record("\(comment): expected FATAL \(code.name), got \(message)")
                return
            }
            #expect(payload.code == code && payload.name == code.name, "\(comment): \(payload)")
            #expect(!payload.message.isEmpty && !payload.message.contains("\n"), "\(comment): \(payload)")
            #expect(try raw.closesWithoutMoreFrames(), "\(comment): the connection stays open after FATAL")
        }

        @Test func everyInvalidGoldenRequestGetsItsDocumentedError() throws {
            let daemon = try DaemonProcess()
            let bystander = try daemon.readyWithPlainAndMeta()
            let session = try bystander.openTinySession(.fused)
            let placeholder = try FileDescriptor.open("/dev/null", .readOnly)
            defer { try? placeholder.close() }

            let vectors = try GoldenVector.invalidRequests()
            #expect(vectors.count >= 10)
            var token: UInt64 = 100
            for vector in vectors {
                let expectedName = try #require(vector.expectedError, "\(vector)")
                let code = try #require(ErrorCode.allCases.first { $0.name == expectedName }, "\(vector)")
                let fds = Array(repeating: placeholder, count: vector.fdCount)
                // HELLO vectors are first frames; the others follow a good HELLO.
                let handshake = !vector.name.hasPrefix("hello_")
                if code == .unknownOpcode {
                    // Not fatal: an ERROR for that request, and the connection goes on.
                    let raw = try RawConnection(path: daemon.socketPath)
                    try raw.hello()
                    try raw.send(vector.bytes, fds: fds)
                    let (header, message) = try raw.nextMessage()
                    guard case .error(let payload) = message else {
                        Issue.record("\(vector): expected ERROR unknown_opcode, got \(message)")
                        continue
                    }
                    #expect(payload.code == .unknownOpcode && header.requestID == vector.requestID, "\(vector): \(payload)")
                    try raw.send(GoldenVector("ping_request").bytes)
                    let (_, pong) = try raw.nextMessage()
                    guard case .ping(let reply) = pong else {
                        Issue.record("\(vector): PING after unknown_opcode got \(pong)")
                        continue
                    }
                    #expect(reply.token == 0x0123_4567_89ab_cdef)
                } else {
                    try expectFatal(code, sending: vector.bytes, fds: fds, handshake: handshake, daemon: daemon, "\(vector)")
                }
                token += 1
                #expect(try bystander.ping(token: token) == token, "bystander after \(vector)")
            }

            // The bystander's session is untouched and still switches.
            let set = AdapterSet([("plain", 0.7), ("meta", -0.3)])
            let check = try SessionCheck(sets: [set], folder: daemon.folder)
            let state = try bystander.switchAdapters(session: session, to: set.wire)
            #expect(check.replyProblems(state, session: session, mode: .fused, generation: 1, set: set) == [])
            #expect(check.contentProblems(try SessionSegments(mapping: state), set: set, checkBase: true) == [])
            bystander.close()
            #expect(try daemon.stop() == 0)
        }

        @Test func handMadeViolationsGetFatalErrorsWhileAnotherClientWorks() throws {
            let daemon = try DaemonProcess()
            let bystander = try daemon.waitUntilReady()
            let limits = try RawConnection(path: daemon.socketPath).hello()
            let ping = try GoldenVector("ping_request").bytes
            let placeholder = try FileDescriptor.open("/dev/null", .readOnly)
            defer { try? placeholder.close() }

            // A request before HELLO.
            try expectFatal(.handshakeRequired, sending: ping, handshake: false, daemon: daemon, "PING before HELLO")
            #expect(try bystander.ping(token: 1) == 1)
            // A second HELLO.
            try expectFatal(.protocolViolation, sending: try GoldenVector("hello_request").bytes, daemon: daemon, "second HELLO")
            #expect(try bystander.ping(token: 2) == 2)
            // One byte over the announced frame limit, and a length near 4 GiB: refused from
            // the header alone (no payload is ever sent).
            let overLimit = Self.header(length: limits.maxFrameBytes - 15, opcode: 0x0002, requestID: 5)
            try expectFatal(.frameTooLarge, sending: overLimit, daemon: daemon, "frame one byte over the limit")
            let huge = Self.header(length: 0xFFFF_FFF0, opcode: 0x0002, requestID: 5)
            try expectFatal(.frameTooLarge, sending: huge, daemon: daemon, "4 GiB frame")
            #expect(try bystander.ping(token: 3) == 3)
            // More descriptors announced than a frame may carry.
            let manyFDs = Self.header(length: 8, opcode: 0x0002, fdCount: limits.maxFDsPerFrame + 1, requestID: 5)
            try expectFatal(.frameTooLarge, sending: manyFDs + Array(ping[16...]), daemon: daemon, "too many descriptors")
            // A PING announcing 2 descriptors that carries 1.
            let twoFDs = Self.header(length: 8, opcode: 0x0002, fdCount: 2, requestID: 5)
            try expectFatal(
                .fdCountMismatch, sending: twoFDs + Array(ping[16...]), fds: [placeholder], daemon: daemon,
                "fd count 2 with 1 descriptor")
            #expect(try bystander.ping(token: 4) == 4)
            // An unknown request opcode is not fatal.
            let raw = try RawConnection(path: daemon.socketPath)
            try raw.hello()
            try raw.send(Self.header(length: 0, opcode: 0x3FFF, requestID: 9))
            let (header, message) = try raw.nextMessage()
            guard case .error(let payload) = message else {
                Issue.record("opcode 0x3fff: expected ERROR unknown_opcode, got \(message)")
                return
            }
            #expect(payload.code == .unknownOpcode && header.requestID == 9)
            try raw.send(ping)
            guard case .ping = try raw.nextMessage().message else {
                Issue.record("PING after unknown_opcode was not answered")
                return
            }
            #expect(try bystander.ping(token: 5) == 5)
            bystander.close()
            #expect(try daemon.stop() == 0)
        }
    }
}
