import Glibc
import LoradSystem
import Testing

@Suite struct FileDescriptorTests {
    @Test func writeThenReadBack() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let fd = try FileDescriptor.open(temp.file("a"), .readWrite, options: [.create, .truncate])
        defer { try? fd.close() }
        try fd.write(Array("hello, world".utf8))
        #expect(try fd.size() == 12)
        var buffer = [UInt8](repeating: 0, count: 5)
        let count = try buffer.withUnsafeMutableBytes { try fd.read(fromAbsoluteOffset: 7, into: $0) }
        #expect(count == 5)
        #expect(String(decoding: buffer, as: UTF8.self) == "world")
    }

    @Test func sequentialReadAdvancesAndEndsWithZero() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try DurableFile.writeAtomically(to: temp.file("a"), bytes: [1, 2, 3])
        let fd = try FileDescriptor.open(temp.file("a"), .readOnly)
        defer { try? fd.close() }
        var buffer = [UInt8](repeating: 0, count: 2)
        #expect(try buffer.withUnsafeMutableBytes { try fd.read(into: $0) } == 2)
        #expect(buffer == [1, 2])
        #expect(try buffer.withUnsafeMutableBytes { try fd.read(into: $0) } == 1)
        #expect(buffer[0] == 3)
        #expect(try buffer.withUnsafeMutableBytes { try fd.read(into: $0) } == 0)
    }

    @Test func pwriteDoesNotMoveOffsetAndExtends() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let fd = try FileDescriptor.open(temp.file("b"), .readWrite, options: .exclusiveCreate)
        defer { try? fd.close() }
        let payload: [UInt8] = [9, 8, 7]
        try payload.withUnsafeBytes { try fd.write(toAbsoluteOffset: 4, $0) }
        #expect(try fd.size() == 7)
        try fd.write([1])
        #expect(try contents(of: temp.file("b")) == [1, 0, 0, 0, 9, 8, 7])
    }

    @Test func largeWriteIsComplete() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let big = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let fd = try FileDescriptor.open(temp.file("big"), .writeOnly, options: .create)
        try fd.write(big)
        try fd.fsync()
        try fd.close()
        #expect(try contents(of: temp.file("big")) == big)
    }

    @Test func truncateSetsSize() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let fd = try FileDescriptor.open(temp.file("t"), .readWrite, options: .create)
        defer { try? fd.close() }
        try fd.truncate(toSize: 12345)
        #expect(try fd.size() == 12345)
        try fd.truncate(toSize: 3)
        #expect(try fd.size() == 3)
    }

    @Test func readExactlyFailsAtEndOfFile() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try DurableFile.writeAtomically(to: temp.file("s"), bytes: [1, 2, 3])
        let fd = try FileDescriptor.open(temp.file("s"), .readOnly)
        defer { try? fd.close() }
        var buffer = [UInt8](repeating: 0, count: 4)
        #expect(throws: SystemError.self) {
            try buffer.withUnsafeMutableBytes { try fd.readExactly(fromAbsoluteOffset: 0, into: $0) }
        }
    }

    @Test func exclusiveCreateRefusesExistingFile() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try DurableFile.writeAtomically(to: temp.file("e"), bytes: [])
        let error = #expect(throws: SystemError.self) {
            _ = try FileDescriptor.open(temp.file("e"), .readWrite, options: .exclusiveCreate)
        }
        #expect(error?.isAlreadyExisting == true)
    }

    @Test func permissionsAreApplied() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let fd = try FileDescriptor.open(temp.file("p"), .writeOnly, options: .create, permissions: 0o600)
        try fd.close()
        #expect(try FileStatus(path: temp.file("p")).permissions == 0o600)
    }

    @Test func closedDescriptorFailsWithEBADF() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let fd = try FileDescriptor.open(temp.file("c"), .writeOnly, options: .create)
        try fd.close()
        let error = #expect(throws: SystemError.self) { try fd.fsync() }
        #expect(error?.errno == EBADF)
    }

    @Test func duplicateGivesAnotherDescriptorOnTheSameFile() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let fd = try FileDescriptor.open(temp.file("d"), .readWrite, options: .create)
        let copy = try fd.duplicate()
        #expect(copy != fd)
        try fd.close()
        try copy.write([42])
        #expect(try copy.size() == 1)
        try copy.close()
    }

    @Test func openAndCloseDoNotLeak() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try DurableFile.writeAtomically(to: temp.file("l"), bytes: [1])
        let growth = try descriptorGrowth {
            let fd = try FileDescriptor.open(temp.file("l"), .readOnly)
            _ = try fd.size()
            try fd.close()
            _ = try? FileDescriptor.open(temp.file("missing"), .readOnly)
        }
        #expect(growth < 50)
    }
}
