import Glibc
import LoradSystem
import Testing

@Suite struct FileStatusTests {
    @Test func regularFileStatus() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try DurableFile.writeAtomically(to: temp.file("f"), bytes: [1, 2, 3, 4, 5])
        let status = try FileStatus(path: temp.file("f"))
        #expect(status.size == 5)
        #expect(status.isRegularFile)
        #expect(!status.isDirectory)
        #expect(status.inode != 0)
        #expect(status.linkCount == 1)
        #expect(status.modificationSeconds > 1_600_000_000)
        #expect((0..<1_000_000_000).contains(status.modificationNanoseconds))
        #expect(FileStatus.exists(temp.file("f")))
        #expect(FileStatus.isRegularFile(temp.file("f")))
        #expect(!FileStatus.isDirectory(temp.file("f")))
    }

    @Test func directoryStatus() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        #expect(FileStatus.isDirectory(temp.path))
        #expect(try FileStatus(path: temp.path).isDirectory)
        #expect(try FileStatus(path: temp.path).device == FileStatus(path: temp.file(".")).device)
    }

    @Test func missingPath() throws {
        #expect(!FileStatus.exists("/nonexistent-lorad"))
        #expect(!FileStatus.isDirectory("/nonexistent-lorad"))
        let error = #expect(throws: SystemError.self) { _ = try FileStatus(path: "/nonexistent-lorad") }
        #expect(error?.isNotFound == true)
        #expect(error?.operation == "stat")
    }

    @Test func symlinkIsSeenOnlyWithoutFollowing() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try DurableFile.writeAtomically(to: temp.file("target"), bytes: [1])
        #expect(symlink("target", temp.file("link")) == 0)
        #expect(try FileStatus(path: temp.file("link")).isRegularFile)
        #expect(try FileStatus(path: temp.file("link"), followSymlinks: false).isSymlink)
        #expect(try FileStatus(path: temp.file("link")).inode == FileStatus(path: temp.file("target")).inode)
    }

    @Test func fstatMatchesStat() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try DurableFile.writeAtomically(to: temp.file("f"), bytes: [7, 7])
        let fd = try FileDescriptor.open(temp.file("f"), .readOnly)
        defer { try? fd.close() }
        #expect(try fd.status() == FileStatus(path: temp.file("f")))
    }
}
