import Testing

@testable import LoradWire

/// BaseInfo's trailing `origin` field (protocol 1.1) and its absence (1.0).
@Suite struct BaseInfoTests {
    static func reply(_ bases: [BaseInfo]) throws -> [UInt8] {
        try ServerMessage.listBases(ListBasesReply(bases: bases)).encode(requestID: 3).bytes
    }

    @Test func originRoundTripsAndIsAbsentWhenNotSet() throws {
        for origin in [nil] + BaseOrigin.allCases.map(Optional.some) {
            let base = BaseInfo(name: "b", state: .ready, byteSize: 9, tensorCount: 2, origin: origin)
            #expect(try decodeOne(try Self.reply([base]), fds: [], client: false) == .server(.listBases(ListBasesReply(bases: [base]))))
        }
        let old = try Self.reply([BaseInfo(name: "b", state: .ready, byteSize: 9, tensorCount: 2)])
        let new = try Self.reply([BaseInfo(name: "b", state: .ready, byteSize: 9, tensorCount: 2, origin: .file)])
        #expect(new.count == old.count + 1, "origin is one trailing byte")
        #expect(BaseOrigin.fdStore.name == "fd_store" && BaseOrigin.notResident.name == "not_resident")
    }

    @Test func unknownOriginIsMalformedAndLaterFieldsAreSkipped() throws {
        var writer = PayloadWriter(context: "test")
        try writer.string("b", "name", maxBytes: 128)
        writer.enumeration(BaseState.ready)
        writer.u64(9)
        writer.u32(2)
        writer.u8(7)
        var reader = PayloadReader(payload: writer.payload, context: "test")
        #expect(throws: WireError.self) { try BaseInfo(from: &reader) }

        var later = PayloadWriter(context: "test")
        try BaseInfo(name: "b", state: .ready, byteSize: 9, tensorCount: 2, origin: .fdStore).encode(to: &later)
        later.u32(0xDEAD_BEEF)  // a field from a future version, inside the record
        let record = later.payload
        var outer = PayloadWriter(context: "test")
        outer.u16(1)
        outer.u16(UInt16(record.count))
        for byte in record { outer.u8(byte) }
        var listReader = PayloadReader(payload: outer.payload, context: "test")
        let decoded = try ListBasesReply(from: &listReader)
        #expect(decoded.bases.first?.origin == .fdStore)
    }
}
