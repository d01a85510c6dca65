import LoradTensors

/// The safetensors header (and through it the JSON parser) on arbitrary bytes taken as a
/// whole file; when a header parses, every tensor is read and scanned for non-finite values,
/// which touches every byte range the header claims. The JSON parser is also run on the
/// bytes alone so that JSON reaches it without a valid length prefix.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    _ = try? JSONParser.parse(buffer)
    let storage = TensorStorage(copying: Array(UnsafeBufferPointer(start: data, count: size)))
    guard let file = try? SafetensorsFile(storage: storage, name: "fuzz.safetensors") else { return 0 }
    _ = file.metadata
    for name in file.names {
        guard let tensor = file.tensor(named: name) else {
            fatalError("header lists \(name) but tensor(named:) returns nil")
        }
        _ = try? tensor.firstNonFiniteElement()
    }
    return 0
}
