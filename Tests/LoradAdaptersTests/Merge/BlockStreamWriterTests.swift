import LoradSystem
import Testing
@testable import LoradAdapters

/// The merger's block-aligned output stream: whatever the piece sizes, the file
/// holds exactly the bytes produced, with and without direct I/O.
@Suite struct BlockStreamWriterTests {
    /// Deterministic bytes: piece `index`, byte `offset`.
    private static func byte(_ index: Int, _ offset: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: index &* 131 &+ offset &* 7 &+ (offset >> 9))
    }

    /// Writes pieces of `sizes` through a writer and returns the file's bytes and
    /// whether direct I/O was on.
    private func roundTrip(_ sizes: [Int], directIO: Bool) throws -> (written: [UInt8], expected: [UInt8], direct: Bool) {
        let folder = try TemporaryFolder()
        let path = folder.path + "/out.bin"
        let fd = try FileDescriptor.open(path, .readWrite, options: .exclusiveCreate, permissions: .defaultFile)
        defer { try? fd.close() }
        var expected: [UInt8] = []
        let writer = BlockStreamWriter(fd: fd, pieceCapacity: 0, directIO: directIO)
        for (index, size) in sizes.enumerated() {
            let piece = (0..<size).map { Self.byte(index, $0) }
            expected += piece
            try writer.produce(count: size) { $0.copyBytes(from: piece) }
        }
        try writer.finish(totalSize: Int64(expected.count))
        let direct = writer.startedDirect
        let region = try MappedRegion(path: path)
        return (Array(region.bytes), expected, direct)
    }

    static let pieceSets: [[Int]] = [
        [],
        [1],
        [4096],
        [4095, 1],
        [100, 4097, 0, 8191, 3, 12_288],
        [1 << 20, 17, (1 << 20) + 5],
        [BlockStreamWriter.minimumCapacity, 1, BlockStreamWriter.minimumCapacity - 1],
    ]

    @Test(arguments: pieceSets, [true, false])
    func fileHoldsExactlyThePiecesInOrder(_ sizes: [Int], directIO: Bool) throws {
        let result = try roundTrip(sizes, directIO: directIO)
        #expect(result.written.count == result.expected.count)
        #expect(result.written == result.expected)
        if !directIO { #expect(!result.direct) }
    }

    @Test func directIOIsUsedOnAFileSystemThatHasIt() throws {
        // The test folder is on /tmp; on the development and CI machines it is a
        // disk file system (ext4), which supports O_DIRECT.
        let result = try roundTrip([5000, 3000], directIO: true)
        #expect(result.direct)
        #expect(result.written == result.expected)
    }

    @Test func aPieceAboveCapacityIsRefusedAndNothingBreaks() throws {
        let folder = try TemporaryFolder()
        let fd = try FileDescriptor.open(folder.path + "/out.bin", .readWrite, options: .exclusiveCreate, permissions: .defaultFile)
        defer { try? fd.close() }
        let writer = BlockStreamWriter(fd: fd, pieceCapacity: 0)
        #expect(throws: SystemError.self) { try writer.produce(count: writer.capacity + 1) { _ in } }
        struct Refused: Error {}
        #expect(throws: Refused.self) { try writer.produce(count: 10) { _ in throw Refused() } }
        // Both buffers are still available: two more pieces and the finish go through.
        try writer.produce(count: 3) { $0.copyBytes(from: [1, 2, 3]) }
        try writer.produce(count: 2) { $0.copyBytes(from: [4, 5]) }
        try writer.finish(totalSize: 5)
        #expect(try fd.status().size == 5)
    }
}
