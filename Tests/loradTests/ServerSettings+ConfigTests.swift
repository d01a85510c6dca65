import LoradConfig
@testable import lorad
import LoradServer
import LoradSystem
import Testing

@Suite struct ServerSettingsConfigTests {
    @Test func settingsFollowTheConfig() {
        let config = DaemonConfig(
            bases: [], stateDirectory: "/var/lib/lorad", socketPath: "/run/lorad/lorad.sock", socketMode: 0o660,
            memoryBudget: 1 << 30, threads: 2, access: AccessPolicy(daemonUID: 999, allowedUIDs: [1000]),
            limits: ConnectionLimits(
                sessionsPerUID: 4, requestsInFlightPerConnection: 100_000, handshakeTimeout: .seconds(3),
                partialFrameTimeout: .seconds(9), maxConnections: 10, connectionsPerUID: 2, reservedConnections: 3))
        let settings = ServerSettings(config: config, serverName: "lorad/9")
        #expect(settings.listener == .path("/run/lorad/lorad.sock", mode: 0o660, group: nil))
        var grouped = config
        grouped.socketGroup = 990
        #expect(ServerSettings(config: grouped, serverName: "lorad/9").listener == .path("/run/lorad/lorad.sock", mode: 0o660, group: 990))
        #expect(settings.access == config.access)
        #expect(settings.connection.serverName == "lorad/9")
        #expect(settings.connection.maxRequestsInFlight == UInt16.max)
        #expect(settings.connection.handshakeTimeout == .seconds(3))
        #expect(settings.connection.partialFrameTimeout == .seconds(9))
        #expect(settings.admission == AdmissionLimits(maxConnections: 10, connectionsPerUID: 2, reservedConnections: 3))
        #expect(settings.validationProblem == nil)
    }

    @Test func theServersDefaultConnectionLimitsAreTheConfigsDefaults() {
        #expect(AdmissionLimits(ConnectionLimits.defaults) == AdmissionLimits.defaults)
    }
}
