// Float conversion throughput: swiftc -O with the LoradTensors sources it needs.
// Run: Benchmarks/FloatConversion/run.sh   (about 10 seconds)
import Foundation

let count = 16 << 20  // 16 Mi elements
var floats = [Float](repeating: 0, count: count)
var doubles = [Double](repeating: 0, count: count)
var halfBytes = [UInt8](repeating: 0, count: count * 2)
for i in 0..<count { floats[i] = Float(i % 10_007) * 0.001 - 5 }
for i in 0..<count { doubles[i] = Double(floats[i]) * 1.000_000_1 }

func measure(_ name: String, bytes: Int, _ body: () throws -> Void) rethrows {
    var best = Double.infinity
    for _ in 0..<5 {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    let name = name.padding(toLength: 16, withPad: " ", startingAt: 0)
    print("\(name) \(String(format: "%7.2f", Double(count) / best / 1e9)) G elements/s  \(String(format: "%6.2f", Double(bytes) / best / 1e9)) GB/s (best of 5, \(count) elements)")
}

for dtype in [DType.bf16, .f16] {
    try measure("f32 -> \(dtype.rawValue)", bytes: count * 6) {
        try floats.withUnsafeBufferPointer { src in
            try halfBytes.withUnsafeMutableBytes { try FloatConversion.fromFloat32(src, to: dtype, into: $0) }
        }
    }
    try measure("\(dtype.rawValue) -> f32", bytes: count * 6) {
        try halfBytes.withUnsafeBytes { src in
            try floats.withUnsafeMutableBufferPointer { try FloatConversion.toFloat32(src, dtype: dtype, into: $0) }
        }
    }
    try measure("f64 -> \(dtype.rawValue)", bytes: count * 10) {
        try doubles.withUnsafeBufferPointer { src in
            try halfBytes.withUnsafeMutableBytes { try FloatConversion.fromFloat64(src, to: dtype, into: $0) }
        }
    }
    try measure("\(dtype.rawValue) -> f64", bytes: count * 10) {
        try halfBytes.withUnsafeBytes { src in
            try doubles.withUnsafeMutableBufferPointer { try FloatConversion.toFloat64(src, dtype: dtype, into: $0) }
        }
    }
}
