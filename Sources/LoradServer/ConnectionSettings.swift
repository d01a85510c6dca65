import LoradWire

/// What one connection is allowed to do: the limits announced in HELLO and the timeouts the
/// server enforces. Pure values; ``ConnectionState`` reads them, the ``Server`` copies them
/// from ``ServerSettings``.
public struct ConnectionSettings: Sendable, Hashable {
    /// The software name sent in HELLO_REPLY, e.g. `lorad/0.1.0` (at most 128 bytes of UTF-8).
    public var serverName: String
    /// For each major version the server speaks, the highest minor (it speaks every lower one).
    public var supportedVersions: [ProtocolVersion]
    /// The frame limits announced in HELLO_REPLY; they bind both directions afterwards.
    public var frameLimits: FrameLimits
    /// Requests a client may have unanswered (announced); one more gets `too_many_requests`.
    public var maxRequestsInFlight: UInt16
    /// How long a new connection has to send a complete HELLO before it gets FATAL
    /// `handshake_required` and is closed.
    public var handshakeTimeout: Duration
    /// How long one frame may stay half-received (counted from its first byte) before the
    /// connection gets FATAL `protocol_violation` and is closed.
    public var partialFrameTimeout: Duration

    /// The limits the daemon announces by default: 64 KiB frames and 64 descriptors per
    /// frame (what one `sendmsg` carries in LoradSystem, below the protocol's 253).
    public static let defaultFrameLimits = FrameLimits(maxFrameBytes: 65536, maxFDsPerFrame: 253)

    /// Creates settings; see ``validationProblem`` for the ranges.
    public init(
        serverName: String = "lorad",
        supportedVersions: [ProtocolVersion] = [.current],
        frameLimits: FrameLimits = ConnectionSettings.defaultFrameLimits,
        maxRequestsInFlight: UInt16 = 32,
        handshakeTimeout: Duration = .seconds(5),
        partialFrameTimeout: Duration = .seconds(30)
    ) {
        self.serverName = serverName
        self.supportedVersions = supportedVersions
        self.frameLimits = frameLimits
        self.maxRequestsInFlight = maxRequestsInFlight
        self.handshakeTimeout = handshakeTimeout
        self.partialFrameTimeout = partialFrameTimeout
    }

    /// What is out of range, as a one-line message, or `nil` when the settings are usable:
    /// frame limits within the protocol's ranges, at least one request in flight, a server name
    /// of at most 128 bytes, at least one supported version, positive timeouts.
    public var validationProblem: String? {
        if !frameLimits.isValid {
            return "max frame bytes \(frameLimits.maxFrameBytes) / max fds per frame \(frameLimits.maxFDsPerFrame) are outside 4096...16777216 / 1...253"
        }
        if maxRequestsInFlight == 0 { return "requests in flight per connection must be at least 1" }
        if serverName.utf8.count > WireLimits.maxSoftwareNameBytes {
            return "server name is \(serverName.utf8.count) bytes; at most \(WireLimits.maxSoftwareNameBytes) fit in HELLO_REPLY"
        }
        if supportedVersions.isEmpty { return "the server must speak at least one protocol version" }
        if handshakeTimeout <= .zero || partialFrameTimeout <= .zero {
            return "handshake and partial frame timeouts must be positive"
        }
        return nil
    }
}
