import LoradSystem
import Testing

@testable import LoradDaemon

@Suite struct FdStoreNameTests {
    @Test func namesRoundTripAndFitSystemdsRules() {
        let longest = "a" + String(repeating: "b", count: 127)
        for base in ["tiny", "cogvideox-5b", "v1.5_x", longest] {
            for name in [FdStoreName.segment(base: base), .record(base: base)] {
                let text = name.fdName
                #expect(FdStoreName(fdName: text) == name)
                #expect(text.utf8.count <= 255 && !text.contains(":"))
                #expect(text.utf8.allSatisfy { (0x21...0x7E).contains($0) })
                #expect(name.base == base)
            }
        }
        #expect(FdStoreName.segment(base: "tiny").fdName == "lorad.base.tiny")
        #expect(FdStoreName.record(base: "tiny").fdName == "lorad.record.tiny")
    }

    @Test func foreignNamesAreNotOurs() {
        for text in ["", "lorad", "stored", "lorad.base.", "lorad.base.-x", "lorad.record.a/b", "lorad.base." + String(repeating: "a", count: 129), "LORAD.BASE.x"] {
            #expect(FdStoreName(fdName: text) == nil, "\(text)")
        }
    }

    @Test func sortGroupsByBaseAndRejectsTheRest() {
        let passed: [(name: String, fd: FileDescriptor)] = [
            ("lorad.base.a", FileDescriptor(rawValue: 10)), ("lorad.record.a", FileDescriptor(rawValue: 11)),
            ("lorad.record.b", FileDescriptor(rawValue: 12)), ("junk", FileDescriptor(rawValue: 13)),
            ("lorad.base.a", FileDescriptor(rawValue: 14)), ("", FileDescriptor(rawValue: 15)),
        ]
        let sorted = StoredBase.sort(passed)
        #expect(sorted.bases["a"] == StoredBase(segment: FileDescriptor(rawValue: 10), record: FileDescriptor(rawValue: 11)))
        #expect(sorted.bases["b"] == StoredBase(segment: nil, record: FileDescriptor(rawValue: 12)))
        #expect(sorted.rejected.map(\.fd.rawValue) == [13, 14, 15])
        #expect(sorted.rejected[1].reason.contains("second descriptor"))
    }
}
