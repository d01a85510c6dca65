/// Constants of the pack format, version 1 (normative description: docs/PACK_FORMAT.md).
public enum PackFormat {
    /// The 8 magic bytes every pack starts with: ASCII "LORAPACK".
    public static let magic: [UInt8] = Array("LORAPACK".utf8)
    /// The format version this build writes and reads.
    public static let version: UInt16 = 1
    /// Bytes of the fixed header: magic(8) version(2) flags(2) manifest length(4) pack length(8).
    public static let headerSize = 24
    /// Bytes of the manifest checksum that follows the manifest.
    public static let checksumSize = 8

    /// The largest manifest accepted: 64 MiB.
    public static let maxManifestBytes = 64 << 20
    /// The most metadata entries a manifest may hold.
    public static let maxMetadataCount = 1 << 16
    /// The longest metadata key, in UTF-8 bytes.
    public static let maxKeyBytes = 4096
    /// The most tensors a pack may hold.
    public static let maxTensorCount = 1 << 20
    /// The longest tensor name, in UTF-8 bytes.
    public static let maxNameBytes = 4096
    /// The longest dtype spelling, in bytes.
    public static let maxDTypeBytes = 16
    /// The most dimensions a tensor may have.
    public static let maxRank = 16
}
