import LoradDaemon
import LoradConfig
import LoradServer

extension AdmissionLimits {
    /// The connection limits of `[limits]`: `max_connections`, `connections_per_uid`,
    /// `reserved_connections`.
    public init(_ limits: ConnectionLimits) {
        self.init(
            maxConnections: limits.maxConnections, connectionsPerUID: limits.connectionsPerUID,
            reservedConnections: limits.reservedConnections)
    }
}
