/// The per-connection framing limits the server announces in its HELLO reply.
///
/// Both directions obey them once HELLO is done; before that (the HELLO exchange itself) both
/// sides use `FrameLimits.default`.
public struct FrameLimits: Hashable, Sendable {
    /// The largest frame, header included, in bytes. 4096 to 16 MiB; default 65536.
    public var maxFrameBytes: UInt32
    /// The most descriptors one frame may carry. 1 to 253 (Linux's SCM_MAX_FD); default 253.
    public var maxFDsPerFrame: UInt16

    /// Creates limits without checking them; see `validated(maxFrameBytes:maxFDsPerFrame:)`.
    public init(maxFrameBytes: UInt32, maxFDsPerFrame: UInt16) {
        self.maxFrameBytes = maxFrameBytes
        self.maxFDsPerFrame = maxFDsPerFrame
    }

    /// 64 KiB frames, 253 descriptors: the pre-handshake limits and the server's default.
    public static let `default` = FrameLimits(maxFrameBytes: 65536, maxFDsPerFrame: 253)
    /// The smallest `maxFrameBytes` a server may announce: 4096 bytes.
    public static let minimumFrameBytes: UInt32 = 4096
    /// The largest `maxFrameBytes` a server may announce: 16 MiB.
    public static let maximumFrameBytes: UInt32 = 16 << 20
    /// The largest `maxFDsPerFrame` a server may announce: 253 (SCM_MAX_FD on Linux).
    public static let maximumFDsPerFrame: UInt16 = 253

    /// The largest payload, in bytes: `maxFrameBytes - 16`.
    public var maxPayloadBytes: Int { Int(maxFrameBytes) - FrameHeader.size }

    /// Whether both limits are inside the ranges above.
    public var isValid: Bool {
        (FrameLimits.minimumFrameBytes...FrameLimits.maximumFrameBytes).contains(maxFrameBytes)
            && (1...FrameLimits.maximumFDsPerFrame).contains(maxFDsPerFrame)
    }
}
