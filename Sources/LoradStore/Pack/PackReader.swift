/// Reads a pack: `init` parses and validates the header and manifest (every length
/// bounded, checksum verified); tensors are decoded on demand, each from its own frames,
/// and every decoded tensor is checked against its XXH64 before it is returned.
///
/// The reader owns a copy of the pack's bytes, so it is a Sendable value that can be
/// shared across threads.
public struct PackReader: Sendable {
    /// The validated manifest.
    public let manifest: PackManifest
    /// The limits the manifest was checked against.
    public let limits: PackLimits
    let bytes: [UInt8]

    /// Parses `bytes` as a pack.
    ///
    /// - Throws: `PackError` — `.badMagic`, `.unsupportedVersion`, `.truncated`,
    ///   `.trailingBytes`, `.manifestChecksumMismatch`, `.unsupportedFlags`,
    ///   `.malformedManifest` or `.limitExceeded`. Frames are not decoded here; use
    ///   `verify()` to check them all.
    public init(bytes: [UInt8], limits: PackLimits = PackLimits()) throws(PackError) {
        let count = bytes.count
        guard bytes.prefix(PackFormat.magic.count).elementsEqual(PackFormat.magic.prefix(min(count, PackFormat.magic.count))) else {
            throw .badMagic
        }
        guard count >= PackFormat.headerSize else {
            throw .truncated(needed: PackFormat.headerSize, available: count)
        }
        var header = ByteCursor(bytes, range: PackFormat.magic.count..<PackFormat.headerSize)
        let version = try header.read(UInt16.self, "the version")
        guard version == PackFormat.version else { throw .unsupportedVersion(version) }
        let flags = try header.read(UInt16.self, "the flags")
        let manifestLength = Int(try header.read(UInt32.self, "the manifest length"))
        let declaredLength = try header.read(UInt64.self, "the pack length")
        guard manifestLength <= PackFormat.maxManifestBytes else {
            throw .malformedManifest("manifest length \(manifestLength) is over the \(PackFormat.maxManifestBytes)-byte limit")
        }
        let manifestEnd = PackFormat.headerSize + manifestLength
        let dataStart = manifestEnd + PackFormat.checksumSize
        guard count >= dataStart else {
            throw .truncated(needed: dataStart, available: count)
        }
        var checksumCursor = ByteCursor(bytes, range: manifestEnd..<dataStart)
        let stored = try checksumCursor.read(UInt64.self, "the manifest checksum")
        let computed = bytes.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<manifestEnd])) }
        guard stored == computed else {
            throw .manifestChecksumMismatch(stored: stored, computed: computed)
        }
        guard flags == 0 else { throw .unsupportedFlags(flags) }
        guard declaredLength >= UInt64(dataStart), declaredLength <= UInt64(Int.max) else {
            throw .malformedManifest("pack length \(declaredLength) is smaller than its header and manifest")
        }
        let packLength = Int(declaredLength)
        guard count >= packLength else { throw .truncated(needed: packLength, available: count) }
        guard count == packLength else { throw .trailingBytes(declared: packLength, actual: count) }

        self.manifest = try PackManifest.decode(
            bytes, range: PackFormat.headerSize..<manifestEnd, dataStart: dataStart, packLength: packLength, limits: limits)
        self.limits = limits
        self.bytes = bytes
    }

    /// Parses a copy of `buffer` (for example an mmap'd file) as a pack; the buffer is
    /// read during the call only. Throws as `init(bytes:limits:)`.
    public init(copying buffer: UnsafeRawBufferPointer, limits: PackLimits = PackLimits()) throws(PackError) {
        try self.init(bytes: Array(buffer), limits: limits)
    }

    /// The total size of the pack in bytes.
    public var byteCount: Int { bytes.count }
}
