import Testing
@testable import LoradSystemd

@Suite struct JournalFieldNameTests {
    @Test(arguments: [
        ("session", "LORAD_SESSION"),
        ("peer-uid", "LORAD_PEER_UID"),
        ("Base.Name", "LORAD_BASE_NAME"),
        ("_private", "LORAD__PRIVATE"),
        ("9lives", "LORAD_9LIVES"),
        ("größe", "LORAD_GR__E"),
        ("a b=c\n", "LORAD_A_B_C_"),
        ("", "LORAD_METADATA"),
    ])
    func sanitises(key: String, expected: String) {
        let name = JournalFieldName.forMetadataKey(key)
        #expect(name == expected)
        #expect(JournalFieldName.isValid(name))
    }

    @Test func truncatesToSixtyFourBytes() {
        let name = JournalFieldName.forMetadataKey(String(repeating: "x", count: 200))
        #expect(name.utf8.count == 64)
        #expect(name == "LORAD_" + String(repeating: "X", count: 58))
        #expect(JournalFieldName.isValid(name))
    }

    @Test func validity() {
        #expect(JournalFieldName.isValid("MESSAGE"))
        #expect(JournalFieldName.isValid("CODE_LINE"))
        #expect(!JournalFieldName.isValid(""))
        #expect(!JournalFieldName.isValid("_PID"))
        #expect(!JournalFieldName.isValid("1ABC"))
        #expect(!JournalFieldName.isValid("lower"))
        #expect(!JournalFieldName.isValid("A-B"))
        #expect(!JournalFieldName.isValid(String(repeating: "A", count: 65)))
    }

    @Test func seededRandomKeysAlwaysGiveValidNames() {
        var state: UInt64 = 0x5eed_1234
        for _ in 0..<500 {
            var key = ""
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let length = Int(state >> 58)  // 0..<64
            for _ in 0..<length {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                key.unicodeScalars.append(Unicode.Scalar(UInt8(truncatingIfNeeded: state >> 33) & 0x7f))
            }
            let name = JournalFieldName.forMetadataKey(key)
            #expect(JournalFieldName.isValid(name), "key \(key.debugDescription) gave \(name)")
        }
    }
}
