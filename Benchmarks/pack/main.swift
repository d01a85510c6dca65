// Pack benchmark: lorad's pack codec beside plain zstd on the same raw bytes, in
// one process, one core. The package's `lorad-pack-bench` target, built by bench.sh (release).
//
//   lorad-pack-bench FACTORS.safetensors
import Dispatch
import Foundation
import LoradStore
import LoradTensors

struct Loaded {
    var name: String
    var dtype: DType
    var shape: [Int]
    var bytes: [UInt8]
}

func load(_ path: String) throws -> [Loaded] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any] ?? [:]
    return header.keys.sorted().compactMap { name in
        guard name != "__metadata__", let info = header[name] as? [String: Any],
              let dtypeName = info["dtype"] as? String, let dtype = DType(rawValue: dtypeName),
              let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int] else { return nil }
        return Loaded(name: name, dtype: dtype, shape: shape,
                      bytes: [UInt8](data.subdata(in: (8 + length + offsets[0])..<(8 + length + offsets[1]))))
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Best of `runs` timings.
func best(_ runs: Int = 3, _ body: () throws -> Void) rethrows -> Double {
    var result = Double.infinity
    for _ in 0..<runs { result = min(result, try seconds(body)) }
    return result
}

func row(_ label: String, ratio: Double, compress: Double, decompress: Double, bytes: Int) {
    let gb = Double(bytes) / 1e9
    print(label.padding(toLength: 34, withPad: " ", startingAt: 0)
          + String(format: "%7.4fx %10.3f GB/s %10.3f GB/s", ratio, gb / compress, gb / decompress))
}

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    print("usage: lorad-pack-bench FACTORS.safetensors")
    exit(64)
}
let tensors = try load(arguments[1])
let raw = tensors.flatMap(\.bytes)
print("\(tensors.count) tensors, \(raw.count) bytes (\(Set(tensors.map(\.dtype.rawValue)).sorted().joined(separator: ",")))")
print("codec".padding(toLength: 34, withPad: " ", startingAt: 0) + "  ratio     compress (1 core)  decompress (1 core)")

// Anchor: plain zstd over the same raw bytes, one frame, same process.
for level: Int32 in [1, 3] {
    let compressor = try ZstdCompressor()
    let decompressor = try ZstdDecompressor()
    var frame: [UInt8] = []
    let c = try raw.withUnsafeBytes { source in
        try best { frame = try compressor.compress(source, parameters: ZstdParameters(level: level)) }
    }
    var output = [UInt8](repeating: 0, count: raw.count)
    let d = try frame.withUnsafeBytes { f in
        try output.withUnsafeMutableBytes { out in try best { try decompressor.decompress(f, into: out) } }
    }
    precondition(output == raw)
    row("plain zstd -\(level) (anchor)", ratio: Double(raw.count) / Double(frame.count), compress: c, decompress: d, bytes: raw.count)
}

// The pack: one pack per tensor, encoded and decoded sequentially (one core), and
// the ratio of one pack holding every tensor.
for level in [1, 3] {
    var packs: [[UInt8]] = []
    let c = try best {
        packs = try tensors.map { t in
            var writer = PackWriter()
            try writer.addTensor(name: t.name, dtype: t.dtype, shape: t.shape, bytes: t.bytes)
            return try writer.encode(level: level)
        }
    }
    let d = try best {
        for (t, pack) in zip(tensors, packs) {
            let bytes = try PackReader(bytes: pack).decompress(tensorNamed: t.name)
            precondition(bytes.count == t.bytes.count)
        }
    }
    var all = PackWriter()
    for t in tensors { try all.addTensor(name: t.name, dtype: t.dtype, shape: t.shape, bytes: t.bytes) }
    let whole = try all.encode(level: level)
    let reader = try PackReader(bytes: whole)
    for (t, bytes) in zip(tensors, try reader.decompressAll()) { precondition(bytes == t.bytes, "\(t.name) differs") }
    row("lorad pack level \(level)", ratio: Double(raw.count) / Double(whole.count), compress: c, decompress: d, bytes: raw.count)
}
