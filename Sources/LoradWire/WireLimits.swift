/// The fixed bounds of protocol version 1.0 on strings and lists (PROTOCOL.md, "Limits").
///
/// Encoders refuse to write past them (`invalid_argument`); decoders refuse to read past them
/// (`malformed_frame`). String bounds are in UTF-8 bytes, list bounds in items. These are
/// protocol constants, not negotiated; the negotiated limits are in `FrameLimits`.
public enum WireLimits {
    /// Adapter, base and tag names and list cursors: 128 bytes (see `WireName`).
    public static let maxNameBytes = 128
    /// Client and server software names in HELLO: 128 bytes.
    public static let maxSoftwareNameBytes = 128
    /// Adapter descriptions: 4096 bytes.
    public static let maxDescriptionBytes = 4096
    /// File names in IMPORT (a base name, no directory): 255 bytes.
    public static let maxFileNameBytes = 255
    /// Short labels such as an adapter's source format: 32 bytes.
    public static let maxLabelBytes = 32
    /// Content digests (lower-case hex): 128 bytes.
    public static let maxDigestBytes = 128
    /// Error names: 64 bytes.
    public static let maxErrorNameBytes = 64
    /// Error messages: 1024 bytes.
    public static let maxMessageBytes = 1024
    /// Free text such as a shutdown reason or a verify subject: 256 bytes.
    public static let maxShortTextBytes = 256
    /// Tags per adapter: 32.
    public static let maxTags = 32
    /// Files per IMPORT: 16.
    public static let maxImportFiles = 16
    /// Adapters in one active set (SWITCH, MERGE, a session): 64.
    public static let maxActiveAdapters = 64
    /// Segments in one session state: the base plus one per active adapter, 65.
    public static let maxSegments = 1 + maxActiveAdapters
    /// Entries in one LIST_BASES or LIST_ADAPTERS reply: 1024 (the frame cap usually binds first).
    public static let maxListEntries = 1024
    /// Problems listed in one VERIFY reply: 64 (the total is counted separately).
    public static let maxVerifyProblems = 64
}
