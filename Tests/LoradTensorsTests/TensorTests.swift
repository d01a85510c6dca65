import LoradSystem
import LoradTensors
import Testing

@Suite struct TensorTests {
    @Test func makesTensorFromBytes() throws {
        let tensor = try Tensor(dtype: .bf16, shape: [2, 3], bytes: Array(0..<12))
        #expect(tensor.elementCount == 6)
        #expect(tensor.byteCount == 12)
        #expect(tensor.byteRange == 0..<12)
        #expect(tensor.bytes == Array(0..<12))
        let scalar = try Tensor(dtype: .f32, shape: [], bytes: [0, 0, 128, 63])
        #expect(scalar.elementCount == 1)
        #expect(try scalar.floats() == [1])
    }

    @Test func rejectsInconsistentTensors() {
        #expect(throws: TensorError.byteCountMismatch(dtype: .f32, shape: [2], expected: 8, actual: 4)) {
            _ = try Tensor(dtype: .f32, shape: [2], bytes: [0, 0, 0, 0])
        }
        #expect(throws: TensorError.invalidShape([-1])) { _ = try Tensor(dtype: .u8, shape: [-1], bytes: []) }
        #expect(throws: TensorError.invalidShape([Int.max, 2])) { _ = try Tensor(dtype: .u8, shape: [Int.max, 2], bytes: []) }
        #expect(throws: TensorError.fractionalByteSize(shape: [3], dtype: .f4)) { _ = try Tensor(dtype: .f4, shape: [3], bytes: [0, 0]) }
        let storage = TensorStorage(copying: [1, 2, 3])
        #expect(throws: TensorError.rangeOutsideStorage(range: 2..<4, storageCount: 3)) {
            _ = try Tensor(dtype: .u8, shape: [2], storage: storage, byteRange: 2..<4)
        }
    }

    @Test func viewsShareStorage() throws {
        let storage = TensorStorage(copying: Array(0..<16))
        let a = try Tensor(dtype: .u16, shape: [2], storage: storage, byteRange: 4..<8)
        #expect(a.bytes == [4, 5, 6, 7])
        #expect(a.storage === storage)
        #expect(storage.count == 16)
        #expect(storage.withUnsafeBytes { Int(bitPattern: $0.baseAddress) % TensorStorage.heapAlignment } == 0)
    }

    @Test func storageFillAndFailure() throws {
        struct Stop: Error {}
        let storage = TensorStorage(byteCount: 4) { $0[3] = 9 }
        #expect(storage.withUnsafeBytes { Array($0) } == [0, 0, 0, 9])
        #expect(throws: Stop.self) { _ = try TensorStorage(byteCount: 4) { _ in throw Stop() } }
        #expect(TensorStorage(copying: []).count == 0)
    }

    @Test func storageMapsFiles() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        try DurableFile.writeAtomically(to: temp.file("raw"), bytes: [5, 6, 7])
        let mapped = try TensorStorage(mapping: temp.file("raw"))
        #expect(mapped.withUnsafeBytes { Array($0) } == [5, 6, 7])
        let region = try MappedRegion(path: temp.file("raw"))
        #expect(TensorStorage(region: region).count == 3)
        #expect(throws: SystemError.self) { _ = try TensorStorage(mapping: temp.file("none")) }
    }

    @Test func convertsValues() throws {
        let tensor = try Tensor(converting: [1, 2.5, -3] as [Float], to: .f16, shape: [3])
        #expect(tensor.dtype == .f16)
        #expect(try tensor.floats() == [1, 2.5, -3])
        #expect(try tensor.doubles() == [1, 2.5, -3])
        #expect(throws: TensorError.self) { _ = try Tensor(converting: [1] as [Float], to: .f16, shape: [2]) }
        #expect(throws: TensorError.unsupportedDType(.i32)) { _ = try Tensor(dtype: .i32, shape: [1], bytes: [0, 0, 0, 0]).floats() }
    }
}
