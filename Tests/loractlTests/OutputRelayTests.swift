import LoradSystem
import Testing
@testable import loractl

/// loractl writes a target lorad would refuse (a file on FUSE or NFS) through a pipe of its
/// own; anything else goes to lorad as it is.
@Suite struct OutputRelayTests {
    @Test func localFilesPipesAndDevicesNeedNoRelay() throws {
        let folder = try DurableFile.makeTemporaryDirectory(prefix: "loractl-relay")
        defer { try? DurableFile.removeTree(folder) }
        let file = try FileDescriptor.open(folder + "/out", .writeOnly, options: .create)
        defer { try? file.close() }
        #expect(!OutputRelay.isNeeded(for: file))
        let null = try FileDescriptor.open("/dev/null", .writeOnly)
        defer { try? null.close() }
        #expect(!OutputRelay.isNeeded(for: null))
        let pipe = try FileDescriptor.pipe()
        defer {
            try? pipe.read.close()
            try? pipe.write.close()
        }
        #expect(!OutputRelay.isNeeded(for: pipe.write))
        // Without a relay the body gets the target itself.
        #expect(try OutputRelay.write(to: file) { $0 } == file)
    }

    /// What the body's writer (lorad, here the body itself through its own copy of the write
    /// end, as lorad has one) puts into the pipe reaches the target whole.
    @Test func theRelayCopiesEverythingIntoTheTarget() throws {
        let folder = try DurableFile.makeTemporaryDirectory(prefix: "loractl-relay")
        defer { try? DurableFile.removeTree(folder) }
        let path = folder + "/out"
        let file = try FileDescriptor.open(path, .writeOnly, options: .create)
        let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let result = try OutputRelay.relay(into: file) { writeEnd in
            // lorad's copy of the write end, written and closed before the reply.
            let copy = try writeEnd.duplicate()
            try copy.write(bytes)
            try copy.close()
            return 42
        }
        try file.close()
        #expect(result == 42)
        let reader = try FileDescriptor.open(path, .readOnly)
        defer { try? reader.close() }
        #expect(try reader.readBytes(fromAbsoluteOffset: 0, count: try reader.size()) == bytes)
    }
}
