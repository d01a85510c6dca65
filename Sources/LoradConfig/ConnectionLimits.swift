/// Per-client limits that keep one client from exhausting the daemon.
public struct ConnectionLimits: Sendable, Hashable {
    /// The most sessions one uid may hold open across all its connections.
    public var sessionsPerUID: Int
    /// The most requests one connection may have unanswered (announced in HELLO).
    public var requestsInFlightPerConnection: Int
    /// How long a new connection has to complete HELLO before it is closed.
    public var handshakeTimeout: Duration
    /// How long a frame may stay half-received before the connection is closed.
    public var partialFrameTimeout: Duration
    /// The most client connections open at once for ordinary users (root's and admins'
    /// count too).
    public var maxConnections: Int
    /// The most connections one uid may have open (root and admins are exempt).
    public var connectionsPerUID: Int
    /// Connections beyond `maxConnections` that only root and admins may open.
    public var reservedConnections: Int
    /// How long EXPORT or MERGE waits for the client to take more of its output.
    public var outputStallTimeout: Duration
    /// The most worker threads one uid's requests may occupy at once; 0 means the daemon's
    /// threads - 1 (at least 1).
    public var workersPerUID: Int

    /// The defaults: 256 sessions per uid, 64 requests in flight, 5 s handshake, 30 s
    /// partial frame, 1024 connections, 256 per uid, 8 reserved, 60 s output stall, workers
    /// per uid 0 (threads - 1).
    public static let defaults = ConnectionLimits(
        sessionsPerUID: 256, requestsInFlightPerConnection: 64, handshakeTimeout: .seconds(5), partialFrameTimeout: .seconds(30))

    /// Makes limits from explicit values (not checked; ``ConfigLoader`` checks ranges); the
    /// connection limits default to 1024 in all, 256 per uid and 8 reserved, the output stall
    /// timeout to 60 s and the workers per uid to 0 (threads - 1).
    public init(
        sessionsPerUID: Int, requestsInFlightPerConnection: Int, handshakeTimeout: Duration, partialFrameTimeout: Duration,
        maxConnections: Int = 1024, connectionsPerUID: Int = 256, reservedConnections: Int = 8,
        outputStallTimeout: Duration = .seconds(60), workersPerUID: Int = 0
    ) {
        self.sessionsPerUID = sessionsPerUID
        self.requestsInFlightPerConnection = requestsInFlightPerConnection
        self.handshakeTimeout = handshakeTimeout
        self.partialFrameTimeout = partialFrameTimeout
        self.maxConnections = maxConnections
        self.connectionsPerUID = connectionsPerUID
        self.reservedConnections = reservedConnections
        self.outputStallTimeout = outputStallTimeout
        self.workersPerUID = workersPerUID
    }
}
