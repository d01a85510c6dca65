import LoradTestSupport
import Testing

@testable import LoradTOML

/// Robustness: truncated and randomly mutated documents either parse or fail
/// with a one-line ``TOMLError`` at a real position; they never trap or hang.
@Suite struct TOMLParserFuzzTests {
    static let corpus: [String] = [
        """
        # lorad.toml
        state_dir = "/var/lib/lorad"
        memory_budget = "32GiB"
        socket_mode = 0o660
        threads = 4
        [bases]
        cogvideox-5b = "/models/CogVideoX-5b/transformer"
        "cogvideox-1.5" = '/models/cv15'
        [access]
        allow_groups = ["lorad", 1000,]
        admin_groups = [
          "lorad-admin",  # comment
        ]
        [limits]
        handshake_timeout = "5s"
        partial_frame_timeout = 30
        """,
        """
        a = "esc \\t \\u00E9 \\U0001F600"
        b = \"\"\"
        multi \\
          line\"\"\"
        c = '''lit\n'''
        d = [1, 2.5, -3e2, inf, nan, true, 0xFF, 0b10, 1_000]
        e = { x = 1, y.z = "w", n = [ { q = 1 } ] }
        f.g.h = false
        [t.u]
        "quoted key" = 'v'
        [t]
        w = -0.0
        """,
    ]

    static let tokens: [[UInt8]] = [
        "[", "]", "[[", "{", "}", "\"", "'", "\"\"\"", "'''", "\\", "\\u", "\\U0010FFFF", "=", ",", ".", "#", "\n", "\r", "\r\n",
        " ", "\t", "0x", "0o", "_", "e", "+", "-", "inf", "nan", "true", "1979-05-27", "07:32", "\u{0}", "é", "😀",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xEF, 0xBB, 0xBF]]

    static func check(_ bytes: [UInt8], lines: Int) {
        do {
            let table = try TOMLParser.parse(bytes, fileName: "fuzz.toml")
            let again = try TOMLParser.parse(bytes, fileName: "fuzz.toml")
            #expect(table.count == again.count)
        } catch {
            #expect(!error.message.isEmpty)
            #expect(!error.description.contains("\n") && !error.description.contains("\r"), "\(error)")
            #expect(error.position.line >= 1 && error.position.line <= lines)
            #expect(error.position.column >= 1)
        }
    }

    static func lineCount(_ bytes: [UInt8]) -> Int {
        bytes.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }

    @Test func everyPrefixParsesOrFailsCleanly() {
        for text in TOMLParserFuzzTests.corpus {
            let bytes = Array(text.utf8)
            #expect((try? TOMLParser.parse(bytes, fileName: "ok.toml")) != nil)
            for end in 0...bytes.count {
                let prefix = Array(bytes[..<end])
                TOMLParserFuzzTests.check(prefix, lines: TOMLParserFuzzTests.lineCount(prefix))
            }
        }
    }

    @Test func randomMutationsNeverCrash() {
        var random = SplitMix64(seed: 0x10_4AD_C0F1)
        let corpus = TOMLParserFuzzTests.corpus.map { Array($0.utf8) }
        var parsed = 0
        for _ in 0..<10_000 {
            var bytes = corpus[Int.random(in: 0..<corpus.count, using: &random)]
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = Int.random(in: 0...bytes.count, using: &random)
                switch Int.random(in: 0..<5, using: &random) {
                case 0 where at < bytes.count:
                    bytes[at] = UInt8.random(in: 0...255, using: &random)
                case 1:
                    bytes.insert(contentsOf: TOMLParserFuzzTests.tokens.randomElement(using: &random) ?? [], at: at)
                case 2:
                    let end = min(bytes.count, at + Int.random(in: 1...16, using: &random))
                    bytes.removeSubrange(at..<end)
                case 3:
                    let end = min(bytes.count, at + Int.random(in: 1...32, using: &random))
                    bytes.insert(contentsOf: Array(bytes[at..<end]), at: Int.random(in: 0...bytes.count, using: &random))
                default:
                    if at < bytes.count, let other = bytes.indices.randomElement(using: &random) { bytes.swapAt(at, other) }
                }
            }
            if (try? TOMLParser.parse(bytes, fileName: "fuzz.toml")) != nil { parsed += 1 }
            TOMLParserFuzzTests.check(bytes, lines: TOMLParserFuzzTests.lineCount(bytes))
        }
        // Some mutations stay valid (a changed digit, a doubled space), most do not.
        #expect(parsed > 50 && parsed < 9_500)
    }

    @Test func randomBytesNeverCrash() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<3_000 {
            let count = Int.random(in: 0...64, using: &random)
            let bytes = (0..<count).map { _ in
                Bool.random(using: &random)
                    ? UInt8.random(in: 0...255, using: &random)
                    : Array("[]{}=\"'.,#\n ab1".utf8).randomElement(using: &random) ?? 0
            }
            TOMLParserFuzzTests.check(bytes, lines: TOMLParserFuzzTests.lineCount(bytes))
        }
    }
}
