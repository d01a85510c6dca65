import Glibc
import LoradClient
import LoradSystem
import LoradWire
import Testing

extension EndToEndTests {
    /// Acceptance 3, segments: a client cannot change a segment it received, whatever
    /// it tries; the seals, not the access mode, are what stop it.
    @Suite struct SegmentIsolationTests {
        @Test(arguments: [SessionMode.fused, SessionMode.factors])
        func receivedSegmentsRefuseEveryWrite(mode: SessionMode) throws {
            let daemon = try DaemonProcess()
            let admin = try daemon.readyWithPlainAndMeta()
            let session = try admin.openTinySession(mode)
            let set = AdapterSet([("plain", 0.7), ("meta", -0.3)])
            let state = try admin.switchAdapters(session: session, to: set.wire)
            defer { state.closeDescriptors() }
            #expect(state.segments.count == (mode == .fused ? 2 : 3))

            for segment in state.segments {
                let fd = segment.descriptor
                let size = Int(segment.byteSize)
                #expect(try Memfd.seals(of: fd) == .immutable, "\(segment.kind)")
                #expect(try fd.size() == size)
                let before = try contents(of: fd)

                // On the descriptor as received.
                #expect(throws: SystemError.self, "\(segment.kind) write") { try fd.write([0xFF]) }
                #expect(throws: SystemError.self, "\(segment.kind) ftruncate") { try fd.truncate(toSize: 0) }
                #expect(throws: SystemError.self, "\(segment.kind) grow") { try fd.truncate(toSize: Int64(size) * 2) }
                #expect(throws: SystemError.self, "\(segment.kind) shared writable mmap") {
                    _ = try MutableMappedRegion(fileDescriptor: fd, length: size)
                }
                let unseal = #expect(throws: SystemError.self) { try Memfd.addSeals(.write, to: fd) }
                #expect(unseal?.errno == EPERM)

                // Reopened read-write through /proc/self/fd: the seals still say no (EPERM).
                let reopened = try FileDescriptor.open("/proc/self/fd/\(fd.rawValue)", .readWrite)
                defer { try? reopened.close() }
                let write = #expect(throws: SystemError.self) { try reopened.write([0xFF]) }
                #expect(write?.errno == EPERM, "\(segment.kind) write after reopen")
                let positioned = #expect(throws: SystemError.self) {
                    try [UInt8](repeating: 0, count: 16).withUnsafeBytes { try reopened.write(toAbsoluteOffset: 64, $0) }
                }
                #expect(positioned?.errno == EPERM, "\(segment.kind) pwrite after reopen")
                let shrink = #expect(throws: SystemError.self) { try reopened.truncate(toSize: 0) }
                #expect(shrink?.errno == EPERM, "\(segment.kind) ftruncate after reopen")
                let map = #expect(throws: SystemError.self) { _ = try MutableMappedRegion(fileDescriptor: reopened, length: size) }
                #expect(map?.errno == EPERM, "\(segment.kind) shared writable mmap after reopen")

                // Nothing changed, for this client or for the daemon's next client.
                #expect(try contents(of: fd) == before)
            }
            let fresh = try SessionSegments(mapping: try admin.getSegments(session: session))
            let check = try SessionCheck(sets: [set], folder: daemon.folder)
            #expect(check.contentProblems(fresh, set: set, checkBase: true) == [])

            admin.close()
            #expect(try daemon.stop() == 0)
        }

        /// The whole segment, read through a read-only mapping.
        func contents(of fd: FileDescriptor) throws -> [UInt8] {
            let region = try MappedRegion(fileDescriptor: fd)
            return region.withUnsafeBytes { Array($0) }
        }
    }
}
