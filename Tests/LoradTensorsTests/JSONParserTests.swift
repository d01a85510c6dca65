@testable import LoradTensors
import Testing

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue {
        try Array(text.utf8).withUnsafeBytes { try JSONParser.parse($0) }
    }

    func rejects(_ text: String) -> Bool { (try? parse(text)) == nil }

    @Test func parsesScalarsAndContainers() throws {
        guard case .integer(18_446_744_073_709_551_615) = try parse("18446744073709551615") else { Issue.record("u64 max"); return }
        guard case .number("18446744073709551616") = try parse("18446744073709551616") else { Issue.record("u64 max + 1"); return }
        guard case .number("-0") = try parse("-0") else { Issue.record("-0"); return }
        guard case .number("1.5e-3") = try parse(" 1.5e-3 ") else { Issue.record("float"); return }
        guard case .bool(true) = try parse("true"), case .bool(false) = try parse("false"), case .null = try parse("null") else {
            Issue.record("literals"); return
        }
        guard case .object(let members) = try parse(#"{"a":[1,{"b":null}],"c":"d"}"#) else { Issue.record("object"); return }
        #expect(members.map(\.key) == ["a", "c"])
        guard case .array(let items) = members[0].value else { Issue.record("array"); return }
        #expect(items.count == 2)
    }

    @Test func decodesEscapes() throws {
        guard case .string(let text) = try parse(#""a\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00""#) else { Issue.record("string"); return }
        #expect(text == "a\"\\/\u{8}\u{c}\n\r\tAé😀")
    }

    @Test func rejectsMalformedJSON() {
        for text in [
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\"}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "1e", "+1", "-",
            "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
            "\"a\u{1}b\"", "[1 2]", "{\"a\":1 \"b\":2}", "{\"a\":1}{", "{\"a\":1,\"a\":2}", "'a'", "[1]]", "NaN", "Infinity",
        ] {
            #expect(rejects(text), "accepted \(text.debugDescription)")
        }
    }

    @Test func boundsNesting() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(rejects(deep))
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(!rejects(ok))
        let hostile = String(repeating: "[", count: 100_000)
        #expect(rejects(hostile))
    }

    @Test func quotesLikeSerdeJSON() {
        var output: [UInt8] = []
        JSONValue.appendQuoted("a\"\\/\n\u{1}é", to: &output)
        #expect(String(decoding: output, as: UTF8.self) == #""a\"\\/\n\u0001é""#)
    }
}
