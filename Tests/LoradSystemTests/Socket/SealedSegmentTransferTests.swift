import Glibc
import LoradSystem
import Testing

/// What a client can and cannot do with a sealed segment it received: the
/// daemon's protection is the seals, not the access mode.
@Suite struct SealedSegmentTransferTests {
    /// A sealed memfd of `size` bytes filled with `value`.
    func sealedSegment(size: Int, value: UInt8) throws -> FileDescriptor {
        let fd = try memfd(containing: [UInt8](repeating: value, count: size))
        try Memfd.addSeals(.immutable, to: fd)
        return fd
    }

    /// Sends `fd` over a fresh socket pair and returns the received copy.
    func transfer(_ fd: FileDescriptor) throws -> FileDescriptor {
        let (daemon, client) = try UnixSocket.socketPair()
        defer { try? daemon.close(); try? client.close() }
        try daemon.sendAll([1], fds: [fd])
        let (_, message) = try receiveOnce(client, maxFDs: 1)
        try #require(message.fds.count == 1)
        return message.fds[0]
    }

    /// What holds for every received sealed segment, whatever its access mode.
    func expectImmutable(_ received: FileDescriptor, size: Int) throws {
        #expect(try Memfd.seals(of: received) == .immutable)
        #expect(try received.size() == size)
        #expect(tryMapWritableShared(received, length: size) != 0)
        #expect(tryUpgradeReadOnlySharedMapping(received, length: size) != 0)
        #expect(throws: SystemError.self) { try received.write([1]) }
        #expect(throws: SystemError.self) { try received.truncate(toSize: 0) }
        #expect(throws: SystemError.self) { try received.truncate(toSize: Int64(size) * 2) }
        let unseal = #expect(throws: SystemError.self) { try Memfd.addSeals(.write, to: received) }
        #expect(unseal?.errno == EPERM)
    }

    @Test func readWriteSegmentRefusesEveryWrite() throws {
        try expectNoDescriptorLeak(iterations: 30) {
            let segment = try sealedSegment(size: 8192, value: 0x5A)
            defer { try? segment.close() }
            let received = try transfer(segment)
            defer { try? received.close() }
            #expect(try received.accessMode() == .readWrite)
            try expectImmutable(received, size: 8192)
            // The seals, not the access mode, make these fail.
            #expect(tryMapWritableShared(received, length: 8192) == EPERM)
            let write = #expect(throws: SystemError.self) { try received.write([1]) }
            #expect(write?.errno == EPERM)
            let shrink = #expect(throws: SystemError.self) { try received.truncate(toSize: 0) }
            #expect(shrink?.errno == EPERM)
            #expect(try allBytes(of: segment).allSatisfy { $0 == 0x5A })
        }
    }

    @Test func readOnlySegmentMapsSharedOnEveryKernel() throws {
        try expectNoDescriptorLeak(iterations: 30) {
            let segment = try sealedSegment(size: 8192, value: 0x33)
            defer { try? segment.close() }
            let readOnly = try segment.reopenedReadOnly()
            defer { try? readOnly.close() }
            let received = try transfer(readOnly)
            defer { try? received.close() }
            #expect(try received.accessMode() == .readOnly)
            #expect(isCloseOnExec(received))
            try expectImmutable(received, size: 8192)
            let region = try MappedRegion(fileDescriptor: received)
            #expect(region.count == 8192)
            #expect(region.withUnsafeBytes { $0.allSatisfy { $0 == 0x33 } })
            // A client can reopen the file read-write through /proc: still sealed.
            let upgraded = try FileDescriptor.open("/proc/self/fd/\(received.rawValue)", .readWrite)
            defer { try? upgraded.close() }
            #expect(tryMapWritableShared(upgraded, length: 8192) == EPERM)
            let write = #expect(throws: SystemError.self) { try upgraded.write([1]) }
            #expect(write?.errno == EPERM)
            #expect(try allBytes(of: segment).allSatisfy { $0 == 0x33 })
        }
    }

    @Test func privateWritableMappingDoesNotReachTheSegment() throws {
        let segment = try sealedSegment(size: 4096, value: 3)
        defer { try? segment.close() }
        let mapped = try #require(mmap(nil, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, segment.rawValue, 0))
        try #require(mapped != MAP_FAILED)
        mapped.storeBytes(of: 99, as: UInt8.self)
        munmap(mapped, 4096)
        #expect(try allBytes(of: segment).allSatisfy { $0 == 3 })
    }

    @Test func accessModeAndReopenOfAPlainFile() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let fd = try FileDescriptor.open(temp.file("w"), .writeOnly, options: .create)
        defer { try? fd.close() }
        #expect(try fd.accessMode() == .writeOnly)
        try expectNoDescriptorLeak {
            let copy = try fd.reopenedReadOnly()
            #expect(try copy.accessMode() == .readOnly)
            try copy.close()
        }
        let invalid = FileDescriptor(rawValue: -1)
        let error = #expect(throws: SystemError.self) { _ = try invalid.accessMode() }
        #expect(error?.errno == EBADF)
        #expect(throws: SystemError.self) { _ = try invalid.reopenedReadOnly() }
    }
}
