import Glibc
import LoradSystem
import Testing

private struct FillFailure: Error {}

@Suite struct DurableFileTests {
    @Test func writesNewFileAndReplacesOldOne() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let path = temp.file("out.bin")
        try DurableFile.writeAtomically(to: path, bytes: [1, 2, 3])
        #expect(try contents(of: path) == [1, 2, 3])
        try DurableFile.writeAtomically(to: path, permissions: 0o600, size: 5000) { buffer in
            #expect(buffer.count == 5000)
            #expect(buffer.allSatisfy { $0 == 0 })
            for i in 0..<buffer.count { buffer[i] = UInt8(truncatingIfNeeded: i) }
        }
        #expect(try contents(of: path) == (0..<5000).map { UInt8(truncatingIfNeeded: $0) })
        #expect(try FileStatus(path: path).permissions == 0o600)
        #expect(try DurableFile.listDirectory(temp.path) == ["out.bin"])
    }

    @Test func emptyFile() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try DurableFile.writeAtomically(to: temp.file("e"), size: 0) { #expect($0.isEmpty) }
        #expect(try FileStatus(path: temp.file("e")).size == 0)
    }

    @Test func failingFillLeavesTargetAndNoTemp() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let path = temp.file("keep")
        try DurableFile.writeAtomically(to: path, bytes: [42])
        #expect(throws: FillFailure.self) {
            try DurableFile.writeAtomically(to: path, size: 10) { buffer in
                buffer[0] = 1
                throw FillFailure()
            }
        }
        #expect(try contents(of: path) == [42])
        #expect(try DurableFile.listDirectory(temp.path) == ["keep"])
    }

    @Test func tempFileIsHiddenInTheTargetFolder() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        var seen: [String] = []
        try DurableFile.writeAtomically(to: temp.file("x.safetensors"), size: 1) { _ in
            seen = try DurableFile.listDirectory(temp.path)
        }
        #expect(seen.count == 1)
        #expect(seen.first?.hasPrefix(".x.safetensors.tmp-\(getpid())-") == true)
    }

    @Test func missingFolderFailsCleanly() throws {
        let error = #expect(throws: SystemError.self) {
            try DurableFile.writeAtomically(to: "/nonexistent-lorad/dir/f", bytes: [1])
        }
        #expect(error?.isNotFound == true)
    }

    @Test func negativeSizeIsRejected() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        #expect(throws: SystemError.self) {
            try DurableFile.writeAtomically(to: temp.file("n"), size: -1) { _ in }
        }
        #expect(try DurableFile.listDirectory(temp.path).isEmpty)
    }

    @Test func atomicWritesDoNotLeakDescriptors() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let growth = try descriptorGrowth(iterations: 100) {
            try DurableFile.writeAtomically(to: temp.file("a"), bytes: [1, 2])
            _ = try? DurableFile.writeAtomically(to: temp.file("a"), size: 3) { _ in throw FillFailure() }
        }
        #expect(growth < 40)
    }

    @Test func makeDirectoryWithIntermediates() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let deep = temp.file("a/b/c")
        #expect(throws: SystemError.self) { try DurableFile.makeDirectory(deep) }
        try DurableFile.makeDirectory(deep, createIntermediates: true)
        #expect(FileStatus.isDirectory(deep))
        try DurableFile.makeDirectory(deep, createIntermediates: true)
        let error = #expect(throws: SystemError.self) { try DurableFile.makeDirectory(deep) }
        #expect(error?.isAlreadyExisting == true)
        try DurableFile.writeAtomically(to: temp.file("a/file"), bytes: [])
        #expect(throws: SystemError.self) {
            try DurableFile.makeDirectory(temp.file("a/file/x"), createIntermediates: true)
        }
        #expect(throws: SystemError.self) {
            try DurableFile.makeDirectory(temp.file("a/file"), createIntermediates: true)
        }
    }

    @Test func listRenameRemove() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try DurableFile.writeAtomically(to: temp.file("b"), bytes: [2])
        try DurableFile.writeAtomically(to: temp.file("a"), bytes: [1])
        try DurableFile.makeDirectory(temp.file("c"))
        #expect(try DurableFile.listDirectory(temp.path) == ["a", "b", "c"])
        try DurableFile.rename(temp.file("a"), to: temp.file("b"))
        #expect(try contents(of: temp.file("b")) == [1])
        try DurableFile.removeFile(temp.file("b"))
        let error = #expect(throws: SystemError.self) { try DurableFile.removeFile(temp.file("b")) }
        #expect(error?.isNotFound == true)
        try DurableFile.removeFile(temp.file("b"), ignoringMissing: true)
        try DurableFile.removeDirectory(temp.file("c"))
        #expect(try DurableFile.listDirectory(temp.path).isEmpty)
        try DurableFile.fsyncDirectory(temp.path)
        #expect(throws: SystemError.self) { _ = try DurableFile.listDirectory(temp.file("none")) }
    }

    @Test func removeTreeRemovesEverythingButFollowsNoLinks() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let outside = try TempFolder()
        defer { outside.cleanup() }
        try DurableFile.writeAtomically(to: outside.file("precious"), bytes: [1])
        try DurableFile.makeDirectory(temp.file("t/u"), createIntermediates: true)
        try DurableFile.writeAtomically(to: temp.file("t/u/f"), bytes: [1])
        #expect(symlink(outside.path, temp.file("t/link")) == 0)
        try DurableFile.removeTree(temp.file("t"))
        #expect(!FileStatus.exists(temp.file("t")))
        #expect(FileStatus.exists(outside.file("precious")))
        try DurableFile.removeTree(temp.file("t"))
    }
}
