// NonFiniteScan throughput on the factors of a rank-128 CogVideoX-5b adapter (the four
// attention projections of 42 blocks, 3072 wide: 132 Mi elements), with an anchor: the
// same bytes read once as 64-bit words (XOR-folded), which is what memory allows.
// Run: Benchmarks/NonFiniteScan/run.sh   (about 20 seconds, 1.3 GB of memory)
import Foundation

let rank = 128, width = 3072, modules = 42 * 4
let elements = modules * 2 * rank * width

func measure(_ name: String, bytes: Int, _ body: () -> Void) {
    var best = Double.infinity
    for _ in 0..<5 {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    let name = name.padding(toLength: 22, withPad: " ", startingAt: 0)
    print("\(name) \(String(format: "%7.1f", best * 1000)) ms  \(String(format: "%6.2f", Double(bytes) / best / 1e9)) GB/s (best of 5, \(bytes >> 20) MiB)")
}

for dtype in [DType.bf16, .f32] {
    let byteCount = elements * dtype.bitWidth / 8
    // Finite values of every sign and magnitude: the scan must read everything.
    var words = [UInt64](repeating: 0, count: byteCount / 8)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for index in words.indices {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        words[index] = state & (dtype == .f32 ? 0xBFFF_FFFF_BFFF_FFFF : 0xBFFF_BFFF_BFFF_BFFF)
    }
    words.withUnsafeBytes { bytes in
        measure("scan \(dtype.rawValue), all finite", bytes: byteCount) {
            precondition((try? NonFiniteScan.first(in: bytes, dtype: dtype)) == .some(nil))
        }
        measure("anchor: read words", bytes: byteCount) {
            var fold: UInt64 = 0
            for index in 0..<(bytes.count / 8) { fold ^= bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self) }
            precondition(fold != 1)
        }
    }
}
