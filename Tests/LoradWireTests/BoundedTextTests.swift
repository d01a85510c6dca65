import LoradWire
import Testing

@Suite struct BoundedTextTests {
    @Test func textWithinTheBoundIsKept() {
        #expect(BoundedText.cut("", toBytes: 0) == "")
        #expect(BoundedText.cut("héllo", toBytes: 6) == "héllo")
        #expect(BoundedText.cut("héllo", toBytes: 6, ellipsis: "...") == "héllo")
    }

    @Test func cutsOnCharacterBoundaries() {
        // "é" is 2 bytes, "e\u{301}" one 3-byte character, the thumbs up with a skin tone one 8-byte character.
        #expect(BoundedText.cut("aé", toBytes: 2) == "a")
        #expect(BoundedText.cut("ae\u{301}x", toBytes: 3) == "a")
        #expect(BoundedText.cut("ae\u{301}x", toBytes: 4) == "ae\u{301}")
        #expect(BoundedText.cut("ok👍🏽", toBytes: 9) == "ok")
        #expect(BoundedText.cut("ok👍🏽", toBytes: 10) == "ok👍🏽")
        let long = String(repeating: "é", count: 600)
        #expect(BoundedText.cut(long, toBytes: 1024).utf8.count == 1024)
        #expect(BoundedText.cut("a" + long, toBytes: 1024).utf8.count == 1023)
    }

    @Test func theEllipsisCountsWithinTheBound() {
        #expect(BoundedText.cut("abcdefgh", toBytes: 7, ellipsis: "...") == "abcd...")
        #expect(BoundedText.cut("abcdefgh", toBytes: 8, ellipsis: "...") == "abcdefgh")
        #expect(BoundedText.cut("ééééé", toBytes: 8, ellipsis: "...") == "éé...")
        let cut = BoundedText.cut(String(repeating: "ab", count: 1000), toBytes: 1024, ellipsis: "...")
        #expect(cut.utf8.count == 1024 && cut.hasSuffix("..."))
        // A bound smaller than the ellipsis leaves the ellipsis alone.
        #expect(BoundedText.cut("abcdef", toBytes: 2, ellipsis: "...") == "...")
    }

    @Test func joinedReadsPiecesOnlyUntilTheBound() {
        var read = 0
        let pieces = (0..<1_000_000).lazy.map { index -> String in
            read += 1
            return index % 2 == 0 ? "\\n" : "x"
        }
        #expect(BoundedText.joined(pieces, toBytes: 7) == "\\nx\\nx")
        #expect(read == 5)
        #expect(BoundedText.joined(["ab", "cd"], toBytes: 4) == "abcd")
        #expect(BoundedText.joined(["ab", "cd", "ef"], toBytes: 5, ellipsis: ".") == "abcd.")
        #expect(BoundedText.joined(["ab", "cd", "ef"], toBytes: 4, ellipsis: ".") == "ab.")
    }
}
