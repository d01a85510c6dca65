import Glibc
import LoradSystem
import Testing

@Suite struct MappedRegionTests {
    @Test func mapsWholeFile() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0) }
        try DurableFile.writeAtomically(to: temp.file("m"), bytes: data)
        let region = try MappedRegion(path: temp.file("m"))
        #expect(region.count == 10_000)
        #expect(region.withUnsafeBytes { Array($0) } == data)
        #expect(region.path == temp.file("m"))
    }

    @Test func zeroLengthFileMapsToEmptyBuffer() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try DurableFile.writeAtomically(to: temp.file("empty"), bytes: [])
        let region = try MappedRegion(path: temp.file("empty"))
        #expect(region.bytes.isEmpty)
        #expect(region.count == 0)
    }

    @Test func mapsUnalignedRangeOfDescriptor() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let data = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try DurableFile.writeAtomically(to: temp.file("r"), bytes: data)
        let fd = try FileDescriptor.open(temp.file("r"), .readOnly)
        let region = try MappedRegion(fileDescriptor: fd, offset: 5000, length: 9000)
        try fd.close()
        #expect(region.withUnsafeBytes { Array($0) } == Array(data[5000..<14000]))
        let fd2 = try FileDescriptor.open(temp.file("r"), .readOnly)
        defer { try? fd2.close() }
        #expect(try MappedRegion(fileDescriptor: fd2, offset: 19_999).withUnsafeBytes { Array($0) } == [data[19_999]])
        #expect(try MappedRegion(fileDescriptor: fd2, offset: 20_000).count == 0)
        #expect(try MappedRegion(fileDescriptor: fd2, offset: 100, length: 0).count == 0)
    }

    @Test func restOfFileFromOffset() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try DurableFile.writeAtomically(to: temp.file("r"), bytes: [1, 2, 3, 4, 5])
        let fd = try FileDescriptor.open(temp.file("r"), .readOnly)
        defer { try? fd.close() }
        #expect(try MappedRegion(fileDescriptor: fd, offset: 2).withUnsafeBytes { Array($0) } == [3, 4, 5])
        #expect(throws: SystemError.self) { _ = try MappedRegion(fileDescriptor: fd, offset: 9) }
        #expect(throws: SystemError.self) { _ = try MappedRegion(fileDescriptor: fd, offset: -1, length: 2) }
        #expect(throws: SystemError.self) { _ = try MappedRegion(fileDescriptor: fd, offset: Int.max, length: 2) }
    }

    @Test func missingFileThrows() {
        let error = #expect(throws: SystemError.self) { _ = try MappedRegion(path: "/nonexistent-lorad/x") }
        #expect(error?.isNotFound == true)
    }

    @Test func mappingDoesNotLeakDescriptors() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try DurableFile.writeAtomically(to: temp.file("m"), bytes: [1, 2, 3])
        let growth = try descriptorGrowth {
            let region = try MappedRegion(path: temp.file("m"))
            #expect(region.withUnsafeBytes { $0[2] } == 3)
        }
        #expect(growth < 50)
    }

    @Test func writableRegionFillsFile() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let fd = try FileDescriptor.open(temp.file("w"), .readWrite, options: .create)
        defer { try? fd.close() }
        try fd.truncate(toSize: 8192)
        let region = try MutableMappedRegion(fileDescriptor: fd, offset: 4096, length: 4096)
        #expect(region.bytes.count == 4096)
        region.withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: 0xAB, toByteOffset: 0, as: UInt8.self)
            bytes.storeBytes(of: 0xCD, toByteOffset: 4095, as: UInt8.self)
        }
        try region.sync()
        region.unmap()
        #expect(region.bytes.isEmpty)
        region.unmap()
        let back = try contents(of: temp.file("w"))
        #expect(back[4096] == 0xAB)
        #expect(back[8191] == 0xCD)
        #expect(back[0] == 0)
    }

    @Test func writableRegionNeedsReadWriteDescriptor() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try DurableFile.writeAtomically(to: temp.file("ro"), bytes: [1, 2])
        let fd = try FileDescriptor.open(temp.file("ro"), .readOnly)
        defer { try? fd.close() }
        let error = #expect(throws: SystemError.self) { _ = try MutableMappedRegion(fileDescriptor: fd, length: 2) }
        #expect(error?.errno == EACCES)
    }
}
