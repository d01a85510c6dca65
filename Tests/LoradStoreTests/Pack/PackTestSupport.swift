#if canImport(Glibc)
import Glibc
#endif
import LoradTensors
import LoradTestSupport
@testable import LoradStore

enum PackSamples {
    static func randomBytes(_ count: Int, _ rng: inout SplitMix64) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    /// Gaussian bf16 values (Box-Muller), rounded to nearest even, little-endian bytes.
    static func gaussianBF16(_ count: Int, sigma: Float, _ rng: inout SplitMix64) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for _ in 0..<count {
            let u1 = Float.random(in: Float.ulpOfOne..<1, using: &rng)
            let u2 = Float.random(in: 0..<1, using: &rng)
            let value = sigma * (-2 * logf(u1)).squareRoot() * cosf(2 * .pi * u2)
            let bits = value.bitPattern
            let rounded = UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
            out.append(UInt8(truncatingIfNeeded: rounded))
            out.append(UInt8(truncatingIfNeeded: rounded >> 8))
        }
        return out
    }

    /// A small pack mixing transforms: Gaussian bf16 factors (rotated planes), f32
    /// (rotated), f16 (planes), u8 (none), a 0-d f64, an empty tensor.
    static func mixedWriter(seed: UInt64 = 7) throws -> PackWriter {
        var rng = SplitMix64(seed: seed)
        var writer = PackWriter(metadata: ["alpha": "16", "layout": "diffusers", "scales": "{\"to_q\":0.5}"])
        try writer.addTensor(name: "blocks.0.to_q.lora_A.weight", dtype: .bf16, shape: [4, 24], bytes: gaussianBF16(96, sigma: 0.05, &rng))
        try writer.addTensor(name: "blocks.0.to_q.lora_B.weight", dtype: .bf16, shape: [24, 4], bytes: gaussianBF16(96, sigma: 0.01, &rng))
        try writer.addTensor(name: "f32", dtype: .f32, shape: [5], bytes: randomBytes(20, &rng))
        try writer.addTensor(name: "f16", dtype: .f16, shape: [3, 3], bytes: randomBytes(18, &rng))
        try writer.addTensor(name: "ids", dtype: .u8, shape: [40], bytes: Array(repeating: 9, count: 40))
        try writer.addTensor(name: "scalar", dtype: .f64, shape: [], bytes: randomBytes(8, &rng))
        try writer.addTensor(name: "empty", dtype: .bf16, shape: [0, 4], bytes: [])
        return writer
    }

    /// The tensor whose frames contain byte `offset`, if any.
    static func tensor(containing offset: Int, in manifest: PackManifest) -> PackTensorEntry? {
        manifest.tensors.first { entry in
            entry.frames.contains { $0.offset <= offset && offset < $0.offset + $0.byteCount }
        }
    }
}
