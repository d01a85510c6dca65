import Testing

@testable import LoradWire

@Suite struct PayloadContextTests {
    @Test func namesAPayloadByTextOrByOpcode() {
        #expect(PayloadContext.text("LIST_ADAPTERS reply").description == "LIST_ADAPTERS reply")
        #expect(PayloadContext.opcode(.ping).description == "PING (0x0002)")
        #expect(PayloadContext.opcode(.switchAdaptersReply).description == Opcode.switchAdaptersReply.description)
    }

    @Test func decodingErrorsStillNameTheOpcode() throws {
        let frame = Frame(
            header: FrameHeader(payloadLength: 3, opcode: Opcode.ping.rawValue, flags: 0, fdCount: 0, requestID: 2),
            payload: [1, 2, 3], fds: [])
        #expect(throws: WireError.self) { try ClientMessage(decoding: frame) }
        do {
            _ = try ClientMessage(decoding: frame)
        } catch {
            #expect(error.message.hasPrefix("PING (0x0002): "))
        }
    }

    @Test func everyOpcodeHasItsDescription() {
        for opcode in Opcode.allCases {
            let hex = String(opcode.rawValue, radix: 16, uppercase: true)
            #expect(opcode.description == "\(opcode.wireName) (0x\(String(repeating: "0", count: 4 - hex.count))\(hex))")
        }
    }
}
