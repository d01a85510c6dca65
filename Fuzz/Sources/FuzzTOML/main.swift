import LoradTOML

/// The TOML reader on arbitrary bytes: a table or a TOMLError, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTOML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? TOMLParser.parse(bytes, fileName: "fuzz.toml")
    return 0
}
