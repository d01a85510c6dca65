import LoradWire
import Testing
@testable import LoradClient

@Suite struct AdapterRefParsingTests {
    @Test(arguments: [
        ("disney", "disney", nil as UInt32?),
        ("disney@2", "disney", 2),
        ("a@b@3", "a@b", 3),
        ("x@4294967295", "x", 4_294_967_295),
    ])
    func parsesNameAndVersion(text: String, name: String, version: UInt32?) throws {
        let ref = try #require(AdapterRef(parsing: text))
        #expect(ref.name == name)
        #expect(ref.version == version)
        #expect(AdapterRef(parsing: ref.text) == ref)
    }

    @Test(arguments: ["", "@1", "x@", "x@0", "x@-1", "x@1.5", "x@4294967296", "x@+2", "x@١"])
    func rejectsBadVersions(text: String) {
        #expect(AdapterRef(parsing: text) == nil)
    }
}
