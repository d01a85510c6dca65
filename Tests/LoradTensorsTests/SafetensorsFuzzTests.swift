import LoradTensors
import LoradTestSupport
import Testing

/// Seeded random mutations of valid files: every mutant must either parse or
/// throw a SafetensorsError; never crash, hang or trap.
@Suite struct SafetensorsFuzzTests {
    static func seeds() throws -> [[UInt8]] {
        let small = try SafetensorsWriter.serialize(
            tensors: [
                ("w", try Tensor(dtype: .bf16, shape: [2, 3], bytes: Array(0..<12))),
                ("b", try Tensor(dtype: .f32, shape: [3], bytes: Array(0..<12))),
                ("n", try Tensor(dtype: .u8, shape: [0], bytes: [])),
            ],
            metadata: ["format": "pt", "note": "é\n\"x\""])
        let adapter = try readFile(RepositoryPaths.fixtures + "/cogvideox-tiny-bf16_bf16/kohya_same_as_diffusers_meta.safetensors")
        return [small, SafetensorsHeaderTests.referenceVector, adapter]
    }

    static func mutate(_ input: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        let headerEnd = min(bytes.count, 8 + Int(bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
        // Most mutations hit the length prefix and the JSON, where the parser works.
        func position() -> Int {
            guard !bytes.isEmpty else { return 0 }
            return random.below(4) == 0 ? random.below(bytes.count) : random.below(max(1, min(headerEnd, bytes.count)))
        }
        let interesting: [UInt8] = Array("{}[]\",:0123456789-.eE \\u\"FBIU_".utf8) + [0, 0xFF, 0x80, 0xC3]
        for _ in 0...random.below(4) {
            switch random.below(6) {
            case 0 where !bytes.isEmpty:
                bytes[position()] ^= UInt8(1 << random.below(8))
            case 1 where !bytes.isEmpty:
                bytes[position()] = interesting[random.below(interesting.count)]
            case 2:
                bytes.insert(interesting[random.below(interesting.count)], at: min(bytes.count, position()))
            case 3 where !bytes.isEmpty:
                bytes.remove(at: position())
            case 4:
                bytes.removeLast(random.below(bytes.count + 1))
            default:
                if !bytes.isEmpty { bytes[position()] = UInt8(truncatingIfNeeded: random.next()) }
            }
        }
        return bytes
    }

    @Test func randomMutationsNeverCrash() throws {
        let seeds = try Self.seeds()
        for seed in seeds { #expect(parseError(seed) == nil) }
        var random = SplitMix64(seed: 0x5AFE_7E45_0125)
        var parsed = 0
        var rejected = 0
        for _ in 0..<6000 {
            let seed = seeds[random.below(seeds.count)]
            let mutant = Self.mutate(seed, using: &random)
            if let error = parseError(mutant) {
                rejected += 1
                #expect(!error.description.isEmpty)
            } else {
                parsed += 1
                // Whatever parses must be fully consistent with the bytes.
                let header = try parse(mutant)
                #expect(header.fileLength == mutant.count)
            }
        }
        #expect(parsed + rejected == 6000)
        #expect(rejected > 3000)
    }

    @Test func mutantsOpenAsFilesOrFailCleanly() throws {
        var random = SplitMix64(seed: 42)
        let seeds = try Self.seeds()
        for _ in 0..<500 {
            let mutant = Self.mutate(seeds[0], using: &random)
            let storage = TensorStorage(copying: mutant)
            guard let file = try? SafetensorsFile(storage: storage, name: "mutant") else { continue }
            for name in file.names {
                let tensor = try #require(file.tensor(named: name))
                #expect(tensor.byteRange.upperBound <= mutant.count)
                _ = tensor.bytes
            }
        }
    }
}
