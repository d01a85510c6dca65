import LoradTensors
import Testing

@Suite struct SafetensorsHeaderTests {
    /// The reference implementation's own serialization test vector.
    static let referenceVector: [UInt8] = [
        64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
        116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
        58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
        101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
        0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]

    @Test func parsesReferenceVector() throws {
        let header = try parse(Self.referenceVector)
        #expect(header.dataStart == 72)
        #expect(header.metadata == nil)
        #expect(header.entries == [TensorEntry(name: "attn.0", dtype: .f32, shape: [1, 2, 3], dataOffsets: 0..<24)])
        #expect(header.entry(named: "attn.0")?.elementCount == 6)
        #expect(header.entry(named: "nope") == nil)
        #expect(header.fileLength == Self.referenceVector.count)
    }

    @Test func parsesEmptyFileWithAndWithoutMetadata() throws {
        let empty = try parse([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
        #expect(empty.entries.isEmpty)
        #expect(empty.dataStart == 16)
        let withMetadata = try parse(handMade(#"{"__metadata__":{"framework":"pt"}}     "#))
        #expect(withMetadata.metadata == ["framework": "pt"])
        #expect(try parse(handMade(#"{"__metadata__":null}"#)).metadata == nil)
    }

    @Test func ordersEntriesByOffsetAndHandlesEscapes() throws {
        let json = #"{"b\u00e9\"":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]},"a":{"shape":[],"data_offsets":[0,4],"dtype":"I32"}}"#
        let header = try parse(handMade(json, data: Array(repeating: 0, count: 8)))
        #expect(header.entries.map(\.name) == ["a", "bé\""])
        #expect(header.names == ["a", "bé\""])
        #expect(header.entries[0].shape == [])
        #expect(header.entries[0].elementCount == 1)
    }

    @Test func acceptsZeroSizedAndSubByteTensors() throws {
        let json = #"{"z":{"dtype":"F32","shape":[0,5],"data_offsets":[0,0]},"q":{"dtype":"F4","shape":[2,3],"data_offsets":[0,3]}}"#
        let header = try parse(handMade(json, data: [1, 2, 3]))
        #expect(header.entries.map(\.name) == ["z", "q"])
    }

    @Test func rejectsShortAndOversizedPrefixes() {
        #expect(parseError([]) == .fileTooSmall(fileLength: 0))
        #expect(parseError([1, 0, 0, 0, 0, 0, 0]) == .fileTooSmall(fileLength: 7))
        #expect(parseError(handMade("{}", declaredLength: 100_000_001)) == .headerTooLarge(headerLength: 100_000_001, limit: 100_000_000))
        #expect(parseError(handMade("{}", declaredLength: UInt64.max)) == .headerTooLarge(headerLength: UInt64.max, limit: 100_000_000))
        #expect(parseError(handMade("{}", declaredLength: 3)) == .headerBeyondFile(headerLength: 3, fileLength: 10))
    }

    @Test func rejectsBadHeaderText() {
        #expect(parseError(handMade(" {}")) == .headerNotObject)
        #expect(parseError(handMade("[]")) == .headerNotObject)
        #expect(parseError(handMade("")) == .headerNotObject)
        #expect(parseError([2, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0xFF]) == .headerNotUTF8)
        if case .invalidJSON = parseError(handMade("{")) {} else { Issue.record("truncated JSON accepted") }
        if case .invalidJSON = parseError(handMade("{}x")) {} else { Issue.record("trailing garbage accepted") }
        if case .invalidJSON = parseError(handMade(#"{"a":1,}"#)) {} else { Issue.record("trailing comma accepted") }
        let duplicate = #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#
        #expect(parseError(handMade(duplicate, data: [0, 0])) == .invalidJSON(offset: 53, reason: "duplicate key \"a\""))
    }

    @Test func rejectsBadMetadata() {
        #expect(parseError(handMade(#"{"__metadata__":{"a":1}}"#)) == .invalidMetadata(reason: "key 'a' has an integer, not a string"))
        #expect(parseError(handMade(#"{"__metadata__":{"a":{"b":"c"}}}"#)) == .invalidMetadata(reason: "key 'a' has an object, not a string"))
        #expect(parseError(handMade(#"{"__metadata__":"x"}"#)) == .invalidMetadata(reason: "it is a string, not an object"))
    }

    @Test func rejectsBadTensorInfo() {
        func error(_ info: String, data: Int = 4) -> SafetensorsError? {
            parseError(handMade("{\"t\":\(info)}", data: Array(repeating: 0, count: data)))
        }
        #expect(error(#""x""#) == .invalidTensorInfo(tensor: "t", reason: "expected an object, found a string"))
        #expect(error(#"{"dtype":"F32","shape":[1]}"#) == .invalidTensorInfo(tensor: "t", reason: "missing field 'data_offsets'"))
        #expect(error(#"{"shape":[1],"data_offsets":[0,4]}"#) == .invalidTensorInfo(tensor: "t", reason: "missing field 'dtype'"))
        #expect(error(#"{"dtype":"F32","data_offsets":[0,4]}"#) == .invalidTensorInfo(tensor: "t", reason: "missing field 'shape'"))
        #expect(error(#"{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}"#) == .invalidTensorInfo(tensor: "t", reason: "unexpected field 'x'"))
        #expect(error(#"{"dtype":"F31","shape":[1],"data_offsets":[0,4]}"#) == .unknownDType(tensor: "t", dtype: "F31"))
        #expect(error(#"{"dtype":7,"shape":[1],"data_offsets":[0,4]}"#) == .invalidTensorInfo(tensor: "t", reason: "dtype is an integer, not a string"))
        #expect(error(#"{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}"#) == .invalidTensorInfo(tensor: "t", reason: "shape holds the number -1, not a non-negative integer below 2^63"))
        #expect(error(#"{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}"#) == .invalidTensorInfo(tensor: "t", reason: "shape holds the number 1.0, not a non-negative integer below 2^63"))
        #expect(error(#"{"dtype":"F32","shape":[1e0],"data_offsets":[0,4]}"#) != nil)
        #expect(error(#"{"dtype":"F32","shape":[true],"data_offsets":[0,4]}"#) != nil)
        #expect(error(#"{"dtype":"F32","shape":1,"data_offsets":[0,4]}"#) == .invalidTensorInfo(tensor: "t", reason: "shape is an integer, not an array"))
        #expect(error(#"{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}"#) == .invalidTensorInfo(tensor: "t", reason: "data_offsets has 3 numbers, not 2"))
        #expect(error(#"{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551615]}"#) != nil)
        #expect(error(#"{"dtype":"F32","shape":[1],"data_offsets":[0,99999999999999999999]}"#) != nil)
    }

    @Test func rejectsBadOffsetsAndSizes() {
        func error(_ json: String, data: Int) -> SafetensorsError? {
            parseError(handMade(json, data: Array(repeating: 0, count: data)))
        }
        // A hole at the start.
        #expect(error(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8)
            == .invalidOffsets(tensor: "t", start: 4, end: 8, expectedStart: 0))
        // A hole between tensors.
        #expect(error(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, data: 12)
            == .invalidOffsets(tensor: "b", start: 8, end: 12, expectedStart: 4))
        // Overlap.
        #expect(error(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8)
            == .invalidOffsets(tensor: "b", start: 4, end: 8, expectedStart: 8))
        // End before start.
        #expect(error(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: 4)
            == .invalidOffsets(tensor: "t", start: 4, end: 0, expectedStart: 4))
        // Wrong size for the shape.
        #expect(error(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: 4)
            == .sizeMismatch(tensor: "t", shape: [2], dtype: .f32, expected: 8, actual: 4))
        // Sub-byte type that is not whole bytes.
        #expect(error(#"{"t":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}"#, data: 2)
            == .fractionalByteSize(tensor: "t", elements: 3, dtype: .f4))
        // Shape overflow: elements and bits.
        #expect(error(#"{"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, data: 4)
            == .shapeOverflow(tensor: "t", shape: [4_294_967_296, 4_294_967_296]))
        #expect(error(#"{"t":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,4]}}"#, data: 4)
            == .shapeOverflow(tensor: "t", shape: [2_305_843_009_213_693_952]))
        // Truncated data and trailing bytes.
        #expect(error(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 3) == .dataLengthMismatch(expected: 4, actual: 3))
        #expect(error(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 5) == .dataLengthMismatch(expected: 4, actual: 5))
        // Out of range: offsets past the file.
        #expect(error(#"{"t":{"dtype":"F32","shape":[1000],"data_offsets":[0,4000]}}"#, data: 4) == .dataLengthMismatch(expected: 4000, actual: 4))
    }

    @Test func truncatedReferenceVectorFailsAtEveryLength() {
        for length in 0..<Self.referenceVector.count {
            #expect(parseError(Array(Self.referenceVector[..<length])) != nil, "length \(length)")
        }
    }

    @Test func errorDescriptionsAreOneLine() {
        let errors: [SafetensorsError] = [
            .fileTooSmall(fileLength: 3), .headerTooLarge(headerLength: 1 << 40, limit: 100_000_000),
            .sizeMismatch(tensor: "w", shape: [2], dtype: .bf16, expected: 4, actual: 2),
            .invalidOffsets(tensor: "w", start: 4, end: 8, expectedStart: 0),
            .inFile(path: "/m.safetensors", .headerNotUTF8),
        ]
        for error in errors {
            #expect(!error.description.contains("\n"))
            #expect(!error.description.isEmpty)
        }
        #expect(SafetensorsError.sizeMismatch(tensor: "w", shape: [2], dtype: .bf16, expected: 4, actual: 2).description
            == "safetensors tensor 'w' of shape [2] and dtype BF16 needs 4 bytes but its data_offsets span 2")
    }
}
