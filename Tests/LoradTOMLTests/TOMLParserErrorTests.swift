import Testing

@testable import LoradTOML

/// Every way a document can be wrong, with the exact one-line message.
@Suite struct TOMLParserErrorTests {
    static let cases: [(input: String, message: String)] = [
        // Keys and '='
        ("memory_budget 32", #"lorad.toml:1:15: expected '=' after key "memory_budget", found '3'"#),
        ("memory_budget", #"lorad.toml:1:14: expected '=' after key "memory_budget", found the end of the file"#),
        ("a.b\n= 1", #"lorad.toml:1:4: expected '=' after key "a.b", found the end of the line"#),
        ("= 1", "lorad.toml:1:1: expected a key before '='"),
        ("a. = 1", "lorad.toml:1:4: expected a key after 'a.', found '=' (a bare key is made of A-Z a-z 0-9 _ -; quote any other key)"),
        ("a.", "lorad.toml:1:3: expected a key after '.', found the end of the file"),
        ("ké = 1", "lorad.toml:1:2: expected '=' after key \"k\", found character U+00E9"),
        ("\"\"\"k\"\"\" = 1", "lorad.toml:1:1: a multi-line string cannot be a key"),
        ("'''k''' = 1", "lorad.toml:1:1: a multi-line string cannot be a key"),
        // Values
        ("a =", "lorad.toml:1:4: expected a value, found the end of the file"),
        ("a = \nb = 1", "lorad.toml:1:5: expected a value, found the end of the line"),
        ("a = /var/lib", "lorad.toml:1:5: expected a value, found '/'; text must be in quotes: \"...\""),
        ("a = 32GiB", #"lorad.toml:1:5: 32GiB is not a number or boolean; if it is text, put it in quotes: "32GiB""#),
        ("a = yes", #"lorad.toml:1:5: yes is not a number or boolean; if it is text, put it in quotes: "yes""#),
        ("a = True", #"lorad.toml:1:5: True is not a number or boolean; if it is text, put it in quotes: "True""#),
        ("a = 1 2", #"lorad.toml:1:7: expected the end of the line after the value of key "a", found '2'"#),
        ("a = \"x\" b = 2", #"lorad.toml:1:9: expected the end of the line after the value of key "a", found 'b'"#),
        ("a = 1979-05-27", "lorad.toml:1:5: dates and times are not supported in lorad's config; write 1979-05-27 as a string in quotes"),
        ("a = 07:32:00", "lorad.toml:1:5: dates and times are not supported in lorad's config; write 07:32:00 as a string in quotes"),
        // Integers
        ("mode = 0660", "lorad.toml:1:8: leading zeros are not allowed in integers (0660); write an octal number as 0o660, or use a string in quotes"),
        ("a = 1__000", "lorad.toml:1:5: invalid integer 1__000 (underscores must sit between digits)"),
        ("a = _1", "lorad.toml:1:5: invalid integer _1 (underscores must sit between digits)"),
        ("a = 1_", "lorad.toml:1:5: invalid integer 1_ (underscores must sit between digits)"),
        ("a = 1-2", "lorad.toml:1:5: invalid integer 1-2"),
        ("a = +0x10", "lorad.toml:1:5: a sign is not allowed on a hexadecimal, octal or binary integer (+0x10)"),
        ("a = 0xG1", "lorad.toml:1:5: invalid hexadecimal integer 0xG1"),
        ("a = 0o8", "lorad.toml:1:5: invalid octal integer 0o8"),
        ("a = 0b102", "lorad.toml:1:5: invalid binary integer 0b102"),
        ("a = 0x", "lorad.toml:1:5: invalid hexadecimal integer 0x"),
        ("a = 9223372036854775808", "lorad.toml:1:5: integer 9223372036854775808 does not fit in 64 bits"),
        ("a = -9223372036854775809", "lorad.toml:1:5: integer -9223372036854775809 does not fit in 64 bits"),
        ("a = 0x8000000000000000", "lorad.toml:1:5: integer 0x8000000000000000 does not fit in 64 bits"),
        // Floats
        ("a = .5", "lorad.toml:1:5: invalid number .5"),
        ("a = 1.", "lorad.toml:1:5: invalid float 1. (it needs digits after the '.', like 1.0)"),
        ("a = 1.e5", "lorad.toml:1:5: invalid float 1.e5 (it needs digits after the '.', like 1.0)"),
        ("a = 1e", "lorad.toml:1:5: invalid float 1e (bad exponent)"),
        ("a = 01.5", "lorad.toml:1:5: leading zeros are not allowed in numbers (01.5)"),
        ("a = 1e999", "lorad.toml:1:5: float 1e999 is out of range"),
        ("a = 1.5.2", "lorad.toml:1:5: invalid float 1.5.2 (it needs digits after the '.', like 1.0)"),
        // Strings
        ("a = \"open", "lorad.toml:1:5: unterminated string: no closing '\"' before the end of the file"),
        ("a = \"open\nb = 1", "lorad.toml:1:10: unterminated string (opened at 1:5): a \"string\" ends on its line; close it with '\"' or use \"\"\" for several lines"),
        ("a = 'open\n", "lorad.toml:1:10: unterminated string (opened at 1:5): a 'string' ends on its line; close it with \"'\" or use ''' for several lines"),
        ("a = 'open", "lorad.toml:1:5: unterminated string: no closing \"'\" before the end of the file"),
        ("a = \"\"\"open\n", "lorad.toml:1:5: unterminated multi-line string: no closing \"\"\" before the end of the file"),
        ("a = '''open", "lorad.toml:1:5: unterminated multi-line string: no closing ''' before the end of the file"),
        ("a = \"C:\\Users\"", #"lorad.toml:1:8: \U must be followed by 8 hexadecimal digits; write a backslash as \\, or use a 'literal string' where backslashes are plain"#),
        ("a = \"\\q\"", #"lorad.toml:1:6: invalid escape \q in a string; write a backslash as \\, or use a 'literal string' where backslashes are plain"#),
        ("a = \"\\ \"", #"lorad.toml:1:6: invalid escape a backslash followed by a space in a string; write a backslash as \\, or use a 'literal string' where backslashes are plain"#),
        ("a = \"\\u12\"", #"lorad.toml:1:6: \u must be followed by 4 hexadecimal digits; write a backslash as \\, or use a 'literal string' where backslashes are plain"#),
        ("a = \"\\UFFFFFFFF\"", #"lorad.toml:1:6: escape \UFFFFFFFF is not a Unicode scalar value (surrogates and values above 10FFFF are not allowed)"#),
        ("a = \"\\uD800\"", #"lorad.toml:1:6: escape \uD800 is not a Unicode scalar value (surrogates and values above 10FFFF are not allowed)"#),
        ("a = \"\\", "lorad.toml:1:7: unterminated string: the file ends after a backslash"),
        ("a = \"x\u{1}\"", #"lorad.toml:1:7: control character U+0001 is not allowed in a string; write it as an escape like \u0001"#),
        ("a = 'x\u{7F}'", #"lorad.toml:1:7: control character U+007F is not allowed in a string; write it as an escape like \u007F"#),
        ("a = \"\"\"x\"\"\"\"\"\"", "lorad.toml:1:9: 6 quotes in a row in a multi-line string; at most two may come before the closing \"\"\" (escape the others)"),
        ("a = \"\"\"x\ry\"\"\"", "lorad.toml:1:9: a carriage return must be followed by a line feed (use \\n or \\r\\n line ends)"),
        // Arrays
        ("a = [1, 2", "lorad.toml:1:5: unterminated array: no closing ']' before the end of the file"),
        ("a = [1 2]", "lorad.toml:1:8: expected ',' or ']' after an array element, found '2'"),
        ("a = [,]", "lorad.toml:1:6: expected a value, found ','"),
        ("a = [1,,]", "lorad.toml:1:8: expected a value, found ','"),
        ("a = [\n", "lorad.toml:1:5: unterminated array: no closing ']' before the end of the file"),
        // Inline tables
        ("a = {x = 1", "lorad.toml:1:5: unterminated inline table: no closing '}' before the end of the file"),
        ("a = {x = 1,}", "lorad.toml:1:12: a trailing comma is not allowed in an inline table (TOML 1.0)"),
        ("a = {x = 1\n}", "lorad.toml:1:11: an inline table { ... } must be on one line (TOML 1.0); use a [table] section for a longer one"),
        ("a = {\nx = 1}", "lorad.toml:1:6: an inline table { ... } must be on one line (TOML 1.0); use a [table] section for a longer one"),
        ("a = {x = 1 y = 2}", "lorad.toml:1:12: expected ',' or '}' in an inline table, found 'y'"),
        ("a = {x = 1, x = 2}", #"lorad.toml:1:13: duplicate key "x" (first defined at line 1)"#),
        ("a = {x = 1}\na.y = 2", #"lorad.toml:2:1: cannot set key "a.y": "a" is already a table (line 1); an inline table cannot be extended"#),
        ("a = {x = 1}\n[a.b]", #"lorad.toml:2:1: cannot define table [a.b]: key "a" is already a table (line 1); an inline table cannot be extended"#),
        // Duplicates and table rules
        ("a = 1\na = 2", #"lorad.toml:2:1: duplicate key "a" (first defined at line 1)"#),
        ("a = 1\n\"a\" = 2", #"lorad.toml:2:1: duplicate key "a" (first defined at line 1)"#),
        ("a.b = 1\na.b = 2", #"lorad.toml:2:1: duplicate key "a.b" (first defined at line 1)"#),
        ("a = 1\na.b = 2", #"lorad.toml:2:1: cannot set key "a.b": "a" is already an integer (line 1)"#),
        ("[t]\n[t]", "lorad.toml:2:1: table [t] is defined twice (first at line 1)"),
        ("[a.b]\n[a]\n[a.b]", "lorad.toml:3:1: table [a.b] is defined twice (first at line 1)"),
        ("[a]\nb = 1\n[a.b]", #"lorad.toml:3:1: cannot define table [a.b]: key "a.b" is already an integer (line 2)"#),
        ("[a]\nb.c = 1\n[a.b]", "lorad.toml:3:1: table [a.b] was already created by a dotted key at line 2; a [header] cannot define it again"),
        ("[a.b.c]\n[a]\nb.c.t = 1", #"lorad.toml:3:1: cannot add key "b.c.t" with a dotted key: table [b] is defined by a [header] (line 1); put the key under that header"#),
        ("[a]\n[b]\n[a]", "lorad.toml:3:1: table [a] is defined twice (first at line 1)"),
        ("[a.b]\nc = 1\n[a]\nb = 2", #"lorad.toml:4:1: duplicate key "b" (first defined at line 1)"#),
        // Headers
        ("[[bases]]", "lorad.toml:1:1: arrays of tables ([[name]]) are not supported in lorad's config; use a [table] with distinct keys"),
        ("[bases", "lorad.toml:1:7: expected ']' to close the table header [bases, found the end of the file"),
        ("[]", "lorad.toml:1:2: expected a key, found ']' (a bare key is made of A-Z a-z 0-9 _ -; quote any other key)"),
        ("[a] b = 1", "lorad.toml:1:5: expected the end of the line after the table header [a], found 'b'"),
        // Comments, line ends, encoding
        ("# bell \u{7}", "lorad.toml:1:8: control character U+0007 is not allowed in a comment"),
        ("a = 1\rb = 2", "lorad.toml:1:6: a carriage return must be followed by a line feed (use \\n or \\r\\n line ends)"),
        ("a = \u{0}", "lorad.toml:1:5: expected a value, found control character U+0000"),
    ]

    @Test(arguments: cases.indices)
    func rejectsWithMessage(index: Int) {
        let (input, message) = TOMLParserErrorTests.cases[index]
        do {
            let table = try TOMLParser.parse(input, fileName: "lorad.toml")
            Issue.record("expected an error for \(input.debugDescription), got \(table)")
        } catch {
            #expect(error.description == message, "input: \(input.debugDescription)")
        }
    }

    @Test func invalidUTF8() {
        let bytes: [UInt8] = Array("a = \"ok\"\nb = \"".utf8) + [0xC3, 0x28] + Array("\"".utf8)
        #expect(throws: TOMLError(fileName: "f", position: TOMLPosition(line: 2, column: 6), message: "invalid UTF-8 (byte 0xC3); save the file as UTF-8")) {
            try TOMLParser.parse(bytes, fileName: "f")
        }
        for bad: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xFF], [0x80]] {
            #expect(throws: TOMLError.self) { try TOMLParser.parse(Array("a = '".utf8) + bad + Array("'".utf8), fileName: "f") }
        }
    }

    @Test func sizeLimit() throws {
        let line = Array("# padding padding padding padding padding padding padding padding\n".utf8)
        var document: [UInt8] = []
        while document.count + line.count <= TOMLParser.maximumInputSize { document += line }
        document += Array(repeating: UInt8(ascii: "#"), count: TOMLParser.maximumInputSize - document.count)
        #expect(document.count == TOMLParser.maximumInputSize)
        #expect(try TOMLParser.parse(document, fileName: "f").isEmpty)
        document.append(UInt8(ascii: "\n"))
        #expect(throws: TOMLError(fileName: "f", position: TOMLPosition(line: 1, column: 1), message: "the document is 1048577 bytes; the limit is 1 MiB (1048576 bytes)")) {
            try TOMLParser.parse(document, fileName: "f")
        }
    }

    @Test func depthLimit() {
        let tooManyKeys = (1...33).map { "k\($0)" }.joined(separator: ".") + " = 1"
        #expect(throws: TOMLError.self) { try TOMLParser.parse(tooManyKeys) }
        let deepArray = "a = " + String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        do {
            _ = try TOMLParser.parse(deepArray, fileName: "f")
            Issue.record("expected a depth error")
        } catch {
            #expect(error.description == "f:1:37: values are nested more than 32 levels deep")
        }
        let deepTables = "a = " + String(repeating: "{b = ", count: 40) + "1" + String(repeating: "}", count: 40)
        #expect(throws: TOMLError.self) { try TOMLParser.parse(deepTables) }
        let header = "[" + (1...40).map { "t\($0)" }.joined(separator: ".") + "]"
        #expect(throws: TOMLError.self) { try TOMLParser.parse(header) }
        let headerPlusKey = "[" + (1...30).map { "t\($0)" }.joined(separator: ".") + "]\na.b.c = 1"
        #expect(throws: TOMLError.self) { try TOMLParser.parse(headerPlusKey) }
        // A megabyte of '[' fails fast instead of overflowing the stack.
        let flood = "a = " + String(repeating: "[", count: TOMLParser.maximumInputSize - 8)
        #expect(throws: TOMLError.self) { try TOMLParser.parse(flood) }
    }
}
