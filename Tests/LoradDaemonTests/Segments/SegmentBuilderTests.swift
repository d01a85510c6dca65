import Glibc
import LoradAdapters
import LoradSystem
import LoradTensors
import Testing

@testable import LoradDaemon

@Suite struct SegmentBuilderTests {
    @Test func baseSegmentHoldsTheModelAsSafetensors() throws {
        let model = try syntheticModel()
        var progress: [(Int, Int)] = []
        let segment = try SegmentBuilder.base(from: model, name: "tiny") { progress.append(($0, $1)) }
        #expect(segment.kind == .base)
        #expect(progress.map(\.0) == [1, 2, 3, 4])
        #expect(progress.allSatisfy { $0.1 == 4 })
        let file = try segment.safetensors()
        #expect(file.names == model.names)
        #expect(file.metadata == ["format": "pt", "origin": "test"])
        for name in model.names {
            let original = try #require(model.tensor(named: name))
            let copy = try #require(file.tensor(named: name))
            #expect(copy.dtype == original.dtype && copy.shape == original.shape)
            #expect(copy.bytes == original.bytes)
            // Naturally aligned within the file.
            #expect((file.header.dataStart + file.entry(named: name)!.dataOffsets.lowerBound) % copy.dtype.alignment == 0)
        }
        #expect(try segment.fd.size() == segment.byteSize)
    }

    @Test func sealedSegmentsRefuseEveryWrite() throws {
        let segment = try SegmentBuilder.base(from: try syntheticModel(), name: "sealed")
        let seals = try Memfd.seals(of: segment.fd)
        #expect(seals.isSuperset(of: .immutable))
        #expect(try segment.fd.accessMode() == .readOnly)
        // The descriptor handed out is read-only; a peer that reopens the file for
        // writing through /proc still meets the seals.
        let writable = try FileDescriptor.open("/proc/self/fd/\(segment.fd.rawValue)", .readWrite)
        defer { try? writable.close() }
        #expect(throws: SystemError(errno: EPERM, operation: "write")) { try writable.write([1, 2, 3]) }
        #expect(throws: SystemError(errno: EPERM, operation: "pwrite")) {
            try [UInt8(9)].withUnsafeBytes { try writable.write(toAbsoluteOffset: 0, $0) }
        }
        #expect(throws: SystemError(errno: EPERM, operation: "ftruncate")) { try writable.truncate(toSize: Int64(segment.byteSize - 1)) }
        #expect(throws: SystemError(errno: EPERM, operation: "ftruncate")) { try writable.truncate(toSize: Int64(segment.byteSize + 4096)) }
        #expect(throws: SystemError(errno: EPERM, operation: "mmap")) {
            _ = try MutableMappedRegion(fileDescriptor: writable, length: segment.byteSize)
        }
        #expect(throws: SystemError(errno: EPERM, operation: "fcntl(F_ADD_SEALS)")) { try Memfd.addSeals(.write, to: writable) }
        #expect(try segment.fd.size() == segment.byteSize)
    }

    @Test func mappingsOutliveTheSegment() throws {
        var segment: Segment? = try SegmentBuilder.base(from: try syntheticModel(), name: "short-lived")
        let region = try #require(segment).map()
        let expected = try #require(segment).safetensors().names
        segment = nil
        let file = try SafetensorsFile(storage: TensorStorage(region: region), name: "after")
        #expect(file.names == expected)
    }

    @Test func segmentIDsAreUnique() throws {
        let model = try syntheticModel(count: 1)
        let first = try SegmentBuilder.base(from: model, name: "a")
        let second = try SegmentBuilder.base(from: model, name: "a")
        #expect(first.id != second.id)
    }

    @Test func fillFailureLeavesNothing() throws {
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            _ = try SegmentBuilder.build(kind: .overlay, key: "boom", byteSize: 64) { _ in throw Boom() }
        }
    }

    @Test func writtenSegmentHoldsTheWritesAndZerosElsewhere() throws {
        let segment = try SegmentBuilder.buildByWriting(kind: .base, key: "written", byteSize: 10_000) { fd in
            try [UInt8](repeating: 7, count: 3).withUnsafeBytes { try fd.write(toAbsoluteOffset: 0, $0) }
            try [UInt8](1...4).withUnsafeBytes { try fd.write(toAbsoluteOffset: 9_996, $0) }
        }
        #expect(try Memfd.seals(of: segment.fd).isSuperset(of: .immutable))
        #expect(try segment.fd.accessMode() == .readOnly)
        #expect(try segment.fd.size() == 10_000)
        let bytes = try segment.map().withUnsafeBytes { Array($0) }
        #expect(bytes[0..<3] == [7, 7, 7])
        #expect(bytes[3..<9_996].allSatisfy { $0 == 0 })
        #expect(bytes[9_996...] == [1, 2, 3, 4])
    }

    @Test func writeFailureLeavesNothing() throws {
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            _ = try SegmentBuilder.buildByWriting(kind: .base, key: "boom", byteSize: 64) { _ in throw Boom() }
        }
    }

    @Test func factorsSegmentHoldsDiffusersFactorsAndScales() throws {
        let adapter = try AdapterParser.parse(AdapterSource.open(path: CoreFixtures.path("diffusers_meta")))
        let plan = try SegmentBuilder.planFactors(adapter)
        let segment = try SegmentBuilder.factors(plan, key: "meta@1")
        #expect(segment.kind == .factors)
        #expect(segment.byteSize == plan.layout.totalSize)
        let file = try segment.safetensors()
        let expected = adapter.diffusersTensors()
        #expect(file.names == expected.map(\.name).sorted())
        for (name, tensor) in expected {
            #expect(try #require(file.tensor(named: name)).bytes == tensor.bytes)
        }
        let metadata = try #require(file.metadata)
        #expect(metadata[SegmentBuilder.prefixKey] == "transformer")
        for (key, value) in adapter.diffusersMetadata() { #expect(metadata[key] == value) }
        let scales = try #require(metadata[SegmentBuilder.scalesKey])
        #expect(scales.contains("\"transformer_blocks.0.attn1.to_q\":2"))
        // The file is what diffusers reads back: the adapter parses from it unchanged.
        let reparsed = try AdapterParser.parse(AdapterSource(origin: "segment", weights: file))
        #expect(reparsed.modules.map(\.scale) == adapter.modules.map(\.scale))
        #expect(reparsed.targetTensors == adapter.targetTensors)
    }

    @Test func memfdNamesAreBounded() {
        let name = SegmentBuilder.memfdName(kind: .overlay, key: String(repeating: "é", count: 300))
        #expect(name.hasPrefix("lorad-overlay-"))
        #expect(name.utf8.count <= 200)
    }
}
