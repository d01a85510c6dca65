import LoradDaemon
import LoradConfig
import LoradServer

extension ServerSettings {
    /// The settings for `config`: a socket bound at `socket` with `socket_mode` and `socket_group`, the
    /// `[access]` rules, and the `[limits]` the server enforces (requests in flight, clamped to
    /// what HELLO can announce, the two timeouts, and the connection limits). Other settings
    /// keep their defaults.
    /// For socket activation, replace ``listener`` with `.adopted(fd)`.
    public init(config: DaemonConfig, serverName: String) {
        let connection = ConnectionSettings(
            serverName: serverName,
            maxRequestsInFlight: UInt16(clamping: max(1, config.limits.requestsInFlightPerConnection)),
            handshakeTimeout: config.limits.handshakeTimeout,
            partialFrameTimeout: config.limits.partialFrameTimeout)
        self.init(
            listener: .path(config.socketPath, mode: config.socketMode, group: config.socketGroup), access: config.access,
            connection: connection, admission: AdmissionLimits(config.limits))
    }
}
