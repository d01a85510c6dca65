import LoradTensors
import LoradTestSupport
import Testing
@testable import LoradStore

@Suite struct PackTransformTests {
    private func split(_ bytes: [UInt8], width: Int, rotate: Bool) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: bytes.count)
        bytes.withUnsafeBytes { source in
            out.withUnsafeMutableBytes { PackTransform.split(source, into: $0, width: width, rotate: rotate) }
        }
        return out
    }

    private func join(_ bytes: [UInt8], width: Int, rotate: Bool) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: bytes.count)
        bytes.withUnsafeBytes { source in
            out.withUnsafeMutableBytes { PackTransform.join(source, into: $0, width: width, rotate: rotate) }
        }
        return out
    }

    /// bf16 1.0 = 0x3F80, -2.0 = 0xC000 (little-endian in memory).
    @Test func bf16PlanesAreHighBytesThenLowBytes() {
        let values: [UInt8] = [0x80, 0x3F, 0x00, 0xC0]
        #expect(split(values, width: 2, rotate: false) == [0x3F, 0xC0, 0x80, 0x00])
        // Rotated left by one: 0x3F80 -> 0x7F00, 0xC000 -> 0x8001: plane 0 is the exponent.
        #expect(split(values, width: 2, rotate: true) == [0x7F, 0x80, 0x00, 0x01])
    }

    /// f32 1.0 = 0x3F800000: rotated, plane 0 is its exponent 0x7F.
    @Test func f32PlanesMostSignificantFirst() {
        let one: [UInt8] = [0x00, 0x00, 0x80, 0x3F]
        #expect(split(one, width: 4, rotate: false) == [0x3F, 0x80, 0x00, 0x00])
        #expect(split(one, width: 4, rotate: true) == [0x7F, 0x00, 0x00, 0x00])
    }

    @Test(arguments: [2, 4, 8], [false, true])
    func joinInvertsSplit(width: Int, rotate: Bool) {
        var rng = SplitMix64(seed: UInt64(width))
        let bytes = PackSamples.randomBytes(width * 37, &rng)
        let planes = split(bytes, width: width, rotate: rotate)
        #expect(join(planes, width: width, rotate: rotate) == bytes)
    }

    @Test func planeCounts() {
        #expect(PackTransform.bytePlanes.planeCount(for: .bf16) == 2)
        #expect(PackTransform.rotatedBytePlanes.planeCount(for: .c64) == 4)
        #expect(PackTransform.bytePlanes.planeCount(for: .f64) == 8)
        #expect(PackTransform.bytePlanes.planeCount(for: .u8) == nil)
        #expect(PackTransform.bytePlanes.planeCount(for: .f4) == nil)
        #expect(PackTransform.none.planeCount(for: .f4) == 1)
    }
}
