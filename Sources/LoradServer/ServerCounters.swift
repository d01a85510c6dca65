/// A snapshot of the server's counters (``ServerStatistics/snapshot()``), for the stats
/// request, `STATUS=` lines and tests. Counts are since the server was created.
public struct ServerCounters: Sendable, Hashable, CustomStringConvertible {
    /// Connections accepted, refused ones included.
    public var connectionsAccepted: UInt64 = 0
    /// Connections refused at connect, by the access rules or the connection limits.
    public var connectionsRefused: UInt64 = 0
    /// Connections open right now.
    public var connectionsOpen: UInt64 = 0
    /// Connections dropped because the peer stopped reading its replies.
    public var slowReadersDropped: UInt64 = 0
    /// FATAL frames sent (protocol violations, timeouts, refusals).
    public var fatalErrors: UInt64 = 0
    /// Requests handed to the handler.
    public var requestsDispatched: UInt64 = 0
    /// Frames written completely (replies, errors, events).
    public var framesSent: UInt64 = 0
    /// Bytes read from clients.
    public var bytesReceived: UInt64 = 0
    /// Bytes written to clients.
    public var bytesSent: UInt64 = 0
    /// Descriptors received from clients.
    public var descriptorsReceived: UInt64 = 0
    /// Descriptors passed to clients.
    public var descriptorsSent: UInt64 = 0

    /// Creates a snapshot with every counter at zero.
    public init() {}

    /// One line for `STATUS=` and logs, e.g. `3 clients, 1200 requests, 2 refused`.
    public var description: String {
        var parts = ["\(connectionsOpen) clients", "\(requestsDispatched) requests"]
        if connectionsRefused > 0 { parts.append("\(connectionsRefused) refused") }
        if fatalErrors > 0 { parts.append("\(fatalErrors) protocol errors") }
        if slowReadersDropped > 0 { parts.append("\(slowReadersDropped) slow readers dropped") }
        return parts.joined(separator: ", ")
    }
}
