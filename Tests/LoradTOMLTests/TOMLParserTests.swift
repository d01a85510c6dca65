import LoradTestSupport
import Testing

@testable import LoradTOML

/// Golden parses: each document and the table it must give.
@Suite struct TOMLParserTests {
    private func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        try TOMLParser.parse(text, fileName: "t.toml")
    }

    @Test func issueExample() throws {
        let text = ConfigFixtures.issueExample
        let table = try parse(text)
        let expected = TOMLTable([
            "state_dir": .string("/var/lib/lorad"),
            "memory_budget": .string("32GiB"),
            "bases": .table(TOMLTable(["cogvideox-5b": .string("/models/CogVideoX-5b/transformer")])),
            "access": .table(TOMLTable([
                "allow_groups": .array([.string("lorad")]),
                "allow_uids": .array([]),
                "admin_groups": .array([.string("lorad-admin")]),
            ])),
            "limits": .table(TOMLTable([
                "sessions_per_uid": .integer(256),
                "requests_in_flight_per_connection": .integer(64),
                "handshake_timeout": .string("5s"),
                "partial_frame_timeout": .string("30s"),
            ])),
        ])
        #expect(table == expected)
        #expect(table.keys == ["state_dir", "memory_budget", "bases", "access", "limits"])
        #expect(table["memory_budget"]?.position == TOMLPosition(line: 2, column: 1))
        #expect(table["memory_budget"]?.literal == "\"32GiB\"")
        #expect(table["access"]?.position == TOMLPosition(line: 5, column: 1))
        #expect(table["limits"]?.value.tableValue?["handshake_timeout"]?.position == TOMLPosition(line: 12, column: 1))
    }

    @Test func emptyAndBlankDocuments() throws {
        #expect(try parse("").isEmpty)
        #expect(try parse("\n\n  \t\n# only a comment\r\n").isEmpty)
        #expect(try TOMLParser.parse([0xEF, 0xBB, 0xBF] + Array("a = 1".utf8), fileName: "bom") == TOMLTable(["a": .integer(1)]))
    }

    @Test func keys() throws {
        let table = try parse("""
            bare_key-1 = 1
            "quoted key" = 2
            'literal "key"' = 3
            "" = 4
            a . b . "c.d" = 5
            1234 = 6
            3.14 = 7
            "\\u00e9t\\u00e9" = 8
            """)
        #expect(table["bare_key-1"]?.value == .integer(1))
        #expect(table["quoted key"]?.value == .integer(2))
        #expect(table["literal \"key\""]?.value == .integer(3))
        #expect(table[""]?.value == .integer(4))
        #expect(table["a"]?.value == .table(TOMLTable(["b": .table(TOMLTable(["c.d": .integer(5)]))])))
        #expect(table["1234"]?.value == .integer(6))
        #expect(table["3"]?.value == .table(TOMLTable(["14": .integer(7)])))
        #expect(table["été"]?.value == .integer(8))
    }

    @Test func basicStrings() throws {
        let table = try parse(#"""
            plain = "hello world"
            escapes = "tab\there \"q\" back\\slash \b\f\n\r"
            unicode = "\u00E9 \U0001F600 \u0000"
            raw_utf8 = "héllo ✓"
            tab = "a	b"
            empty = ""
            """#)
        #expect(table["plain"]?.value == .string("hello world"))
        #expect(table["escapes"]?.value == .string("tab\there \"q\" back\\slash \u{8}\u{C}\n\r"))
        #expect(table["unicode"]?.value == .string("é 😀 \u{0}"))
        #expect(table["raw_utf8"]?.value == .string("héllo ✓"))
        #expect(table["tab"]?.value == .string("a\tb"))
        #expect(table["empty"]?.value == .string(""))
    }

    @Test func literalStrings() throws {
        let table = try parse(#"""
            path = 'C:\Users\lorad'
            quoted = '<\i\c*\s*>'
            empty = ''
            """#)
        #expect(table["path"]?.value == .string(#"C:\Users\lorad"#))
        #expect(table["quoted"]?.value == .string(#"<\i\c*\s*>"#))
        #expect(table["empty"]?.value == .string(""))
    }

    @Test func multiLineStrings() throws {
        let table = try parse(
            "a = \"\"\"\nRoses are red\nViolets are blue\"\"\"\n"
                + "b = \"\"\"\\\n   The quick \\\n\n   brown fox.\\\n   \"\"\"\n"
                + "c = \"\"\"Here are two quotes: \"\". Simple.\"\"\"\n"
                + "d = \"\"\"\"one quote at each end\"\"\"\"\n"
                + "e = \"\"\"two at the end\"\"\"\"\"\n"
                + "f = '''\nfirst newline trimmed\n  kept '' and \\ raw'''\n"
                + "g = '''''two quotes inside'''''\n"
                + "h = \"\"\"crlf\r\nline\"\"\"\n"
                + "i = \"\"\"\"\"\"\n")
        #expect(table["a"]?.value == .string("Roses are red\nViolets are blue"))
        #expect(table["b"]?.value == .string("The quick brown fox."))
        #expect(table["c"]?.value == .string("Here are two quotes: \"\". Simple."))
        #expect(table["d"]?.value == .string("\"one quote at each end\""))
        #expect(table["e"]?.value == .string("two at the end\"\""))
        #expect(table["f"]?.value == .string("first newline trimmed\n  kept '' and \\ raw"))
        #expect(table["g"]?.value == .string("''two quotes inside''"))
        #expect(table["h"]?.value == .string("crlf\nline"))
        #expect(table["i"]?.value == .string(""))
    }

    @Test func integers() throws {
        let table = try parse("""
            a = 42
            b = +17
            c = -17
            d = 0
            e = -0
            f = 1_000_000
            g = 0xDEAD_beef
            h = 0o660
            i = 0b1101
            max = 9223372036854775807
            min = -9223372036854775808
            hexmax = 0x7FFFFFFFFFFFFFFF
            """)
        #expect(table["a"]?.value == .integer(42))
        #expect(table["b"]?.value == .integer(17))
        #expect(table["c"]?.value == .integer(-17))
        #expect(table["d"]?.value == .integer(0))
        #expect(table["e"]?.value == .integer(0))
        #expect(table["f"]?.value == .integer(1_000_000))
        #expect(table["g"]?.value == .integer(0xDEAD_BEEF))
        #expect(table["h"]?.value == .integer(0o660))
        #expect(table["h"]?.literal == "0o660")
        #expect(table["i"]?.value == .integer(13))
        #expect(table["max"]?.value == .integer(.max))
        #expect(table["min"]?.value == .integer(.min))
        #expect(table["hexmax"]?.value == .integer(.max))
    }

    @Test func floats() throws {
        let table = try parse("""
            a = 1.0
            b = 3.1415
            c = -0.01
            d = 5e+22
            e = 1e06
            f = -2E-2
            g = 6.626e-34
            h = 224_617.445_991
            i = inf
            j = -inf
            k = nan
            l = +nan
            m = 0.0
            """)
        #expect(table["a"]?.value == .float(1.0))
        #expect(table["b"]?.value == .float(3.1415))
        #expect(table["c"]?.value == .float(-0.01))
        #expect(table["d"]?.value == .float(5e22))
        #expect(table["e"]?.value == .float(1e6))
        #expect(table["f"]?.value == .float(-2e-2))
        #expect(table["g"]?.value == .float(6.626e-34))
        #expect(table["h"]?.value == .float(224_617.445_991))
        #expect(table["i"]?.value == .float(.infinity))
        #expect(table["j"]?.value == .float(-.infinity))
        guard case .float(let nan) = table["k"]?.value, case .float(let plusNan) = table["l"]?.value else {
            Issue.record("nan did not parse as a float")
            return
        }
        #expect(nan.isNaN && plusNan.isNaN)
        #expect(table["m"]?.value == .float(0))
    }

    @Test func booleans() throws {
        let table = try parse("yes = true\nno = false")
        #expect(table["yes"]?.value == .boolean(true))
        #expect(table["no"]?.value == .boolean(false))
    }

    @Test func arrays() throws {
        let table = try parse("""
            empty = [ ]
            ints = [1, 2, 3,]
            mixed = ["a", 1, 2.5, true, [1], {x = 1}]
            nested = [[1, 2], [], [[3]]]
            multi = [
              "lorad",      # a comment
              # a full-line comment
              'lorad-admin',
            ]
            crlf = [1,\r\n 2]
            """)
        #expect(table["empty"]?.value == .array([]))
        #expect(table["ints"]?.value == .array([.integer(1), .integer(2), .integer(3)]))
        #expect(table["mixed"]?.value == .array([.string("a"), .integer(1), .float(2.5), .boolean(true), .array([.integer(1)]), .table(TOMLTable(["x": .integer(1)]))]))
        #expect(table["nested"]?.value == .array([.array([.integer(1), .integer(2)]), .array([]), .array([.array([.integer(3)])])]))
        #expect(table["multi"]?.value == .array([.string("lorad"), .string("lorad-admin")]))
        #expect(table["crlf"]?.value == .array([.integer(1), .integer(2)]))
    }

    @Test func inlineTables() throws {
        let table = try parse("""
            empty = {}
            point = { x = 1, y = 2 }
            nested = { a = { b = "c" }, d.e = true }
            """)
        #expect(table["empty"]?.value == .table(TOMLTable()))
        #expect(table["point"]?.value == .table(TOMLTable(["x": .integer(1), "y": .integer(2)])))
        #expect(table["nested"]?.value == .table(TOMLTable([
            "a": .table(TOMLTable(["b": .string("c")])),
            "d": .table(TOMLTable(["e": .boolean(true)])),
        ])))
    }

    @Test func tablesAndDottedKeys() throws {
        let table = try parse("""
            top = 1
            [a.b.c]
            x = 1
            [a]
            y = 2
            [ a . "q k" ]
            z = 3
            [fruit]
            apple.color = "red"
            apple.taste.sweet = true
            [fruit.apple.texture]
            smooth = true
            """)
        #expect(table == TOMLTable([
            "top": .integer(1),
            "a": .table(TOMLTable([
                "b": .table(TOMLTable(["c": .table(TOMLTable(["x": .integer(1)]))])),
                "y": .integer(2),
                "q k": .table(TOMLTable(["z": .integer(3)])),
            ])),
            "fruit": .table(TOMLTable([
                "apple": .table(TOMLTable([
                    "color": .string("red"),
                    "taste": .table(TOMLTable(["sweet": .boolean(true)])),
                    "texture": .table(TOMLTable(["smooth": .boolean(true)])),
                ])),
            ])),
        ]))
    }

    @Test func commentsAndLineEnds() throws {
        let table = try parse("a = 1 # trailing\r\n[t] # header comment\r\nb = \"#not a comment\"\t# tab before\n")
        #expect(table == TOMLTable(["a": .integer(1), "t": .table(TOMLTable(["b": .string("#not a comment")]))]))
    }

    @Test func columnsCountScalarsNotBytes() throws {
        do {
            _ = try parse("\"é\" = \"ü\" x")
            Issue.record("expected an error")
        } catch {
            #expect(error.position == TOMLPosition(line: 1, column: 11))
        }
    }

    @Test func depthLimitIsInclusive() throws {
        // 31 keys plus one array: depth 32 is accepted.
        let keys = (1...31).map { "k\($0)" }.joined(separator: ".")
        _ = try parse("\(keys) = [1]")
        let arrays = String(repeating: "[", count: 31) + String(repeating: "]", count: 31)
        _ = try parse("a = \(arrays)")
    }
}
