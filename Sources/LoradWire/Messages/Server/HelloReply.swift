/// HELLO_REPLY: the chosen version and the limits of this connection.
///
/// Fields in wire order (PROTOCOL.md): `version` ProtocolVersion, `server_name` str,
/// `max_frame_bytes` u32, `max_fds_per_frame` u16, `max_requests_in_flight` u16.
public struct HelloReply: WireCodable, Hashable {
    /// The version both sides now speak.
    public var version: ProtocolVersion
    /// Server software name and version, e.g. `lorad/0.1.0`.
    public var serverName: String
    /// Largest frame, header included, either direction (4096 to 16 MiB).
    public var maxFrameBytes: UInt32
    /// Most descriptors in one frame (1 to 253).
    public var maxFDsPerFrame: UInt16
    /// Most requests the client may have unanswered (at least 1); more get `too_many_requests`.
    public var maxRequestsInFlight: UInt16

    /// Creates the payload from its fields.
    public init(
        version: ProtocolVersion,
        serverName: String,
        maxFrameBytes: UInt32,
        maxFDsPerFrame: UInt16,
        maxRequestsInFlight: UInt16
    ) {
        self.version = version
        self.serverName = serverName
        self.maxFrameBytes = maxFrameBytes
        self.maxFDsPerFrame = maxFDsPerFrame
        self.maxRequestsInFlight = maxRequestsInFlight
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        version = try ProtocolVersion(from: &reader)
        serverName = try reader.string("server_name", maxBytes: WireLimits.maxSoftwareNameBytes)
        maxFrameBytes = try reader.u32("max_frame_bytes")
        maxFDsPerFrame = try reader.u16("max_fds_per_frame")
        maxRequestsInFlight = try reader.u16("max_requests_in_flight")
        if let problem = limitsProblem { throw reader.malformed("max_frame_bytes", problem) }
    }

    /// The framing limits announced: `maxFrameBytes` and `maxFDsPerFrame`.
    public var limits: FrameLimits {
        FrameLimits(maxFrameBytes: maxFrameBytes, maxFDsPerFrame: maxFDsPerFrame)
    }

    /// What is wrong with the announced limits, or `nil` when they are in range.
    private var limitsProblem: String? {
        guard limits.isValid, maxRequestsInFlight >= 1 else {
            return
                "announced limits (max_frame_bytes \(maxFrameBytes), max_fds_per_frame \(maxFDsPerFrame), max_requests_in_flight \(maxRequestsInFlight)) are out of range (4096...16777216, 1...253, at least 1)"
        }
        return nil
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        if let problem = limitsProblem { throw writer.invalid("max_frame_bytes", problem) }
        try version.encode(to: &writer)
        try writer.string(serverName, "server_name", maxBytes: WireLimits.maxSoftwareNameBytes)
        writer.u32(maxFrameBytes)
        writer.u16(maxFDsPerFrame)
        writer.u16(maxRequestsInFlight)
    }
}
