import Testing

@testable import LoradWire

@Suite struct PayloadReaderTests {
    private func reader(_ bytes: [UInt8], fds: [Int32] = []) -> PayloadReader {
        PayloadReader(payload: bytes, fds: fds, context: "TEST")
    }

    @Test func stringsNeedValidUTF8WithinTheBound() throws {
        var ok = reader([3, 0, 0x61, 0xC3, 0xA9])
        #expect(try ok.string("s", maxBytes: 3) == "aé")

        var badUTF8 = reader([2, 0, 0xC3, 0x28])
        #expect(caught { () throws(WireError) in try badUTF8.string("s", maxBytes: 8) }?.code == .malformedFrame)

        var surrogate = reader([3, 0, 0xED, 0xA0, 0x80])
        #expect(caught { () throws(WireError) in try surrogate.string("s", maxBytes: 8) }?.code == .malformedFrame)

        var overlong = reader([2, 0, 0xC0, 0xAF])
        #expect(caught { () throws(WireError) in try overlong.string("s", maxBytes: 8) }?.code == .malformedFrame)

        var tooLong = reader([4, 0, 0x61, 0x61, 0x61, 0x61])
        let error = caught { () throws(WireError) in try tooLong.string("name", maxBytes: 3) }
        #expect(error?.code == .malformedFrame)
        #expect(error?.message.contains("name") == true)

        var short = reader([5, 0, 0x61])
        #expect(caught { () throws(WireError) in try short.string("s", maxBytes: 8) }?.code == .malformedFrame)
    }

    @Test func boolsAndOptionalTagsAcceptOnlyZeroAndOne() throws {
        var bools = reader([0, 1, 2])
        #expect(try bools.bool("b") == false)
        #expect(try bools.bool("b") == true)
        #expect(caught { () throws(WireError) in try bools.bool("b") }?.code == .malformedFrame)

        var optionals = reader([0, 1, 7, 0, 0, 0, 2])
        #expect(try optionals.optional("o") { r throws(WireError) in try r.u32("o") } == nil)
        #expect(try optionals.optional("o") { r throws(WireError) in try r.u32("o") } == 7)
        #expect(
            caught { () throws(WireError) in try optionals.optional("o") { r throws(WireError) in try r.u8("o") } }?
                .code == .malformedFrame)
    }

    @Test func listsAreBoundedBeforeTheyAreRead() {
        var over = reader([3, 0])
        let error = caught { () throws(WireError) in
            try over.list("items", maxCount: 2) { r throws(WireError) in try r.u8("i") }
        }
        #expect(error?.code == .malformedFrame)
        #expect(error?.message.contains("exceeds the limit of 2") == true)

        var huge = reader([0xFF, 0xFF, 1])
        #expect(
            caught { () throws(WireError) in
                try huge.list("items", maxCount: 65535) { r throws(WireError) in try r.u8("i") }
            }?.code == .malformedFrame)
    }

    @Test func unknownEnumValuesAreMalformed() {
        var bad = reader([3])
        #expect(
            caught { () throws(WireError) in try bad.enumeration("kind", SegmentKind.self) }?.code == .malformedFrame)
    }

    @Test func recordsSkipFieldsTheyDoNotKnow() throws {
        // A record of ActiveAdapter with 3 extra bytes appended by a "newer" writer, then a u8.
        var writer = PayloadWriter(context: "TEST")
        try ActiveAdapter(name: "a", version: 1, weight: 2).encode(to: &writer)
        let body = writer.payload + [0xEE, 0xEE, 0xEE]
        var reader = reader([UInt8(body.count), 0] + body + [0x5A])
        let record = try reader.record("r", ActiveAdapter.self)
        #expect(record == ActiveAdapter(name: "a", version: 1, weight: 2))
        #expect(try reader.u8("after") == 0x5A)
    }

    @Test func recordsCannotReadPastTheirLength() {
        var writer = PayloadWriter(context: "TEST")
        try? ActiveAdapter(name: "a", version: 1, weight: 2).encode(to: &writer)
        let body = writer.payload
        // Claim two bytes fewer than the fields need: the record must fail, not read on.
        var reader = reader([UInt8(body.count - 2), 0] + body)
        #expect(caught { () throws(WireError) in try reader.record("r", ActiveAdapter.self) }?.code == .malformedFrame)
    }

    @Test func descriptorIndexesMustBeInRangeNamedOnceAndAll() throws {
        var good = reader([1, 0, 0, 0], fds: [10, 11])
        #expect(try good.fd("a") == 11)
        #expect(try good.fd("b") == 10)
        try good.finish()

        var outOfRange = reader([2, 0], fds: [10, 11])
        #expect(caught { () throws(WireError) in try outOfRange.fd("a") }?.code == .fdCountMismatch)

        var twice = reader([0, 0, 0, 0], fds: [10])
        _ = try twice.fd("a")
        #expect(caught { () throws(WireError) in try twice.fd("b") }?.code == .fdCountMismatch)

        var unnamed = reader([0, 0], fds: [10, 11])
        _ = try unnamed.fd("a")
        #expect(caught { () throws(WireError) in try unnamed.finish() }?.code == .fdCountMismatch)
    }
}
