import Testing

@testable import LoradWire

@Suite struct OpcodeTests {
    @Test func everyRequestHasAReplyAndBack() {
        let requests = Opcode.allCases.filter { $0.kind == .request }
        #expect(requests.count == 20)
        for request in requests {
            let reply = request.replyOpcode
            #expect(reply?.rawValue == request.rawValue | 0x8000)
            #expect(reply?.kind == .reply)
            #expect(reply?.wireName == request.wireName + "_REPLY")
        }
        #expect(Opcode.allCases.filter { $0.kind == .reply }.count == requests.count)
        #expect(Opcode.helloReply.replyOpcode == nil)
    }

    @Test func rangesClassifyRawOpcodes() {
        #expect(Opcode.kind(of: 0) == .reserved)
        #expect(Opcode.kind(of: 0x3FFF) == .request)
        #expect(Opcode.kind(of: 0x4000) == .event)
        #expect(Opcode.kind(of: 0xBFFF) == .reply)
        #expect(Opcode.kind(of: 0xC000) == .reserved)
        #expect(Opcode.kind(of: 0xFFFE) == .error)
        #expect(Opcode.kind(of: 0xFFFF) == .fatal)
        #expect(Opcode.switchAdapters.description == "SWITCH (0x0023)")
        #expect(Set(Opcode.allCases.map(\.wireName)).count == Opcode.allCases.count)
    }

    @Test func everyOpcodeHasASample() {
        var seen = Set<Opcode>()
        for sample in samples {
            switch sample.message {
            case .client(let message): seen.insert(message.opcode)
            case .server(let message): seen.insert(message.opcode)
            }
        }
        #expect(seen == Set(Opcode.allCases))
    }
}
