import LoradAdapters
import LoradTensors

/// The adapter layout normaliser. Input: one flags byte; when bit 0 is set, a little-endian
/// UInt16 length and that many bytes of adapter_config.json follow; the rest is the
/// safetensors file. Bit 1 adds a user alpha taken from the next byte (value / 8).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAdapter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = ArraySlice(UnsafeBufferPointer(start: data, count: size))
    guard let flags = bytes.popFirst() else { return 0 }
    var alpha: Double?
    if flags & 2 != 0 {
        guard let byte = bytes.popFirst() else { return 0 }
        alpha = Double(byte) / 8
    }
    var config: [UInt8]?
    if flags & 1 != 0 {
        guard bytes.count >= 2 else { return 0 }
        let length = Int(bytes[bytes.startIndex]) | Int(bytes[bytes.startIndex + 1]) << 8
        bytes = bytes.dropFirst(2)
        guard bytes.count >= length else { return 0 }
        config = Array(bytes.prefix(length))
        bytes = bytes.dropFirst(length)
    }
    let storage = TensorStorage(copying: Array(bytes))
    guard let file = try? SafetensorsFile(storage: storage, name: "fuzz.safetensors") else { return 0 }
    _ = try? AdapterParser.parse(AdapterSource(origin: "fuzz", weights: file, configJSON: config), alpha: alpha)
    return 0
}
