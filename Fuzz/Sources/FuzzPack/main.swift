import LoradStore

/// The .lorapack reader on arbitrary bytes: the manifest, then every tensor decoded and its
/// checksum checked. The limits are kept small so that a header claiming gigabytes is refused
/// instead of exhausting the fuzzer's memory (the defaults allow 4 GiB tensors).
///
/// A mutated manifest would almost never get past the manifest checksum (and an inserted or
/// removed byte never past the declared pack length), so the target writes both back as the
/// writer would before parsing: the fuzzer then explores the manifest decoder and the frames.
/// The checksum and length checks themselves are covered by the unit tests.
private let limits = PackLimits(maxTensorBytes: 1 << 22, maxTotalBytes: 1 << 24)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPack(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    repair(&bytes)
    guard let reader = try? PackReader(bytes: bytes, limits: limits) else { return 0 }
    // One tensor at a time: decompressAll() goes through Dispatch worker threads, which
    // made each input about 50 ms under ASan.
    for entry in reader.manifest.tensors { _ = try? reader.decompress(entry) }
    return 0
}

/// Header: magic (8), version u16, flags u16, manifest length u32, pack length u64, then the
/// manifest and its XXH64 (PackFormat).
private func repair(_ bytes: inout [UInt8]) {
    guard bytes.count >= PackFormat.headerSize else { return }
    setLE(&bytes, UInt64(bytes.count), at: 16, width: 8)
    let manifestLength = Int(bytes[12]) | Int(bytes[13]) << 8 | Int(bytes[14]) << 16 | Int(bytes[15]) << 24
    let manifestEnd = PackFormat.headerSize + manifestLength
    guard manifestEnd + PackFormat.checksumSize <= bytes.count else { return }
    let checksum = XXH64.hash(Array(bytes[0..<manifestEnd]))
    setLE(&bytes, checksum, at: manifestEnd, width: 8)
}

private func setLE(_ bytes: inout [UInt8], _ value: UInt64, at offset: Int, width: Int) {
    for i in 0..<width { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
}
