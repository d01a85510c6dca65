import LoradTensors
import Testing
@testable import LoradAdapters

/// Adapters whose factors hold NaN or an infinity are refused, in every layout and every
/// dtype lorad computes on, with a message naming the tensor and the first bad element.
@Suite struct NonFiniteFactorTests {
    /// The non-finite bit patterns of each dtype, little-endian: NaN, +Inf, -Inf, and a
    /// NaN with a small payload (signalling in F32/F64).
    static let patterns: [(dtype: DType, bits: [UInt64], names: [String])] = [
        (.f32, [0x7FC0_0000, 0x7F80_0000, 0xFF80_0000, 0x7F80_0001], ["NaN", "+Inf", "-Inf", "NaN"]),
        (.bf16, [0x7FC0, 0x7F80, 0xFF80, 0xFF81], ["NaN", "+Inf", "-Inf", "NaN"]),
        (.f16, [0x7E00, 0x7C00, 0xFC00, 0x7C01], ["NaN", "+Inf", "-Inf", "NaN"]),
        (.f64, [0x7FF8_0000_0000_0000, 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000, 0x7FF0_0000_0000_0001], ["NaN", "+Inf", "-Inf", "NaN"]),
    ]

    @Test(arguments: [DType.f32, .bf16, .f16, .f64])
    func diffusersFactorsWithNaNOrInfinityAreRefusedNamingTheElement(dtype: DType) throws {
        let entry = try #require(Self.patterns.first { $0.dtype == dtype })
        for (bits, name) in zip(entry.bits, entry.names) {
            // B is 4 x 2: element 5 is row 2, column 1.
            let error = #expect(throws: AdapterError.self, "\(dtype) \(name)") {
                try Self.parse([
                    ("transformer.a.lora_A.weight", [2, 4], nil),
                    ("transformer.a.lora_B.weight", [4, 2], (5, bits)),
                ], dtype: dtype)
            }
            #expect(
                error?.description.hasPrefix("transformer.a.lora_B.weight holds \(name) at element 5 (row 2, column 1 of [4, 2]); ") == true,
                "\(error?.description ?? "no error")")
        }
    }

    @Test func kohyaFactorsAreNamedByTheirKohyaKeys() throws {
        let error = #expect(throws: AdapterError.self) {
            try Self.parse([
                ("lora_transformer_a.lora_down.weight", [2, 4], (7, 0x7F80)),
                ("lora_transformer_a.lora_up.weight", [4, 2], nil),
            ], dtype: .bf16)
        }
        #expect(error?.description.hasPrefix("lora_transformer_a.lora_down.weight holds +Inf at element 7 (row 1, column 3 of [2, 4])") == true,
                "\(error?.description ?? "no error")")
    }

    @Test func peftFanInFanOutNamesTheFileKeyBeforeTheTranspose() throws {
        let config = Array(#"{"peft_type": "LORA", "r": 2, "lora_alpha": 2, "fan_in_fan_out": true}"#.utf8)
        let error = #expect(throws: AdapterError.self) {
            try Self.parse([
                ("base_model.model.a.lora_A.weight", [2, 4], (1, 0xFF80_0000)),
                ("base_model.model.a.lora_B.weight", [4, 2], nil),
            ], dtype: .f32, config: config)
        }
        #expect(error?.description.hasPrefix("base_model.model.a.lora_A.weight holds -Inf at element 1 (row 0, column 1 of [2, 4])") == true,
                "\(error?.description ?? "no error")")
    }

    @Test func extremeFiniteValuesAreAccepted() throws {
        // Largest finite, smallest subnormal, negative zero, each dtype.
        let finite: [(DType, [UInt64])] = [
            (.f32, [0x7F7F_FFFF, 0xFF7F_FFFF, 0x0000_0001, 0x8000_0000]),
            (.bf16, [0x7F7F, 0xFF7F, 0x0001, 0x8000]),
            (.f16, [0x7BFF, 0xFBFF, 0x0001, 0x8000]),
            (.f64, [0x7FEF_FFFF_FFFF_FFFF, 0xFFEF_FFFF_FFFF_FFFF, 0x1, 0x8000_0000_0000_0000]),
        ]
        for (dtype, values) in finite {
            for (index, bits) in values.enumerated() {
                let adapter = try Self.parse([
                    ("transformer.a.lora_A.weight", [2, 4], (index, bits)),
                    ("transformer.a.lora_B.weight", [4, 2], (7 - index, bits)),
                ], dtype: dtype)
                #expect(adapter.modules.count == 1)
            }
        }
    }

    /// Parses an in-memory file of zero-filled `dtype` tensors, each optionally with one
    /// element set to the bit pattern given.
    static func parse(
        _ tensors: [(String, [Int], (index: Int, bits: UInt64)?)], dtype: DType, config: [UInt8]? = nil
    ) throws -> LoraAdapter {
        let width = dtype.bitWidth / 8
        let list = try tensors.map { name, shape, poke in
            var bytes = [UInt8](repeating: 0, count: width * shape.reduce(1, *))
            if let poke {
                for byte in 0..<width { bytes[poke.index * width + byte] = UInt8(truncatingIfNeeded: poke.bits >> (8 * byte)) }
            }
            return (name: name, tensor: try Tensor(dtype: dtype, shape: shape, bytes: bytes))
        }
        let bytes = try SafetensorsWriter.serialize(tensors: list, metadata: nil)
        let file = try SafetensorsFile(storage: TensorStorage(copying: bytes), name: "test.safetensors")
        return try AdapterParser.parse(AdapterSource(origin: "test.safetensors", weights: file, configJSON: config))
    }
}
