import Glibc
import LoradSystem
import Testing

@Suite struct MemfdTests {
    @Test func createFillSealAndMap() throws {
        let fd = try Memfd.create(name: "lorad-test")
        defer { try? fd.close() }
        #expect(try Memfd.seals(of: fd).isEmpty)
        try fd.truncate(toSize: 100)
        do {
            let region = try MutableMappedRegion(fileDescriptor: fd, length: 100)
            region.withUnsafeMutableBytes { $0[99] = 7 }
            // A writable shared mapping blocks F_SEAL_WRITE.
            let error = #expect(throws: SystemError.self) { try Memfd.addSeals(.write, to: fd) }
            #expect(error?.errno == EBUSY)
            region.unmap()
        }
        try Memfd.addSeals(.immutable, to: fd)
        #expect(try Memfd.seals(of: fd) == .immutable)
        #expect(throws: SystemError.self) { try fd.write([1]) }
        #expect(throws: SystemError.self) { try fd.truncate(toSize: 10) }
        #expect(throws: SystemError.self) { try fd.truncate(toSize: 1000) }
        #expect(throws: SystemError.self) { _ = try MutableMappedRegion(fileDescriptor: fd, length: 100) }
        let error = #expect(throws: SystemError.self) { try Memfd.addSeals(.grow, to: fd) }
        #expect(error?.isPermissionDenied == true)
        let read = try MappedRegion(fileDescriptor: fd)
        #expect(read.count == 100)
        #expect(read.withUnsafeBytes { $0[99] } == 7)
    }

    @Test func sealsOfAPlainFileAreRefused() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let fd = try FileDescriptor.open(temp.file("f"), .readWrite, options: .create)
        defer { try? fd.close() }
        let error = #expect(throws: SystemError.self) { _ = try Memfd.seals(of: fd) }
        #expect(error?.errno == EINVAL)
    }

    @Test func memfdsDoNotLeak() throws {
        let growth = try descriptorGrowth {
            let fd = try Memfd.create(name: "leak")
            try fd.close()
        }
        #expect(growth < 50)
    }
}
