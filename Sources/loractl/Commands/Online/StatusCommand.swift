import ArgumentParser
import LoradClient
import LoradWire

/// `loractl status`: is the daemon up, what does it hold.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show whether lorad answers, its limits, uptime, sessions, segments, cache and store figures."
    )

    @OptionGroup var online: OnlineOptions

    func run() throws {
        try online.run { connection in
            let stats = try connection.stats()
            let json = CLIJSON.status(
                socket: connection.path, server: connection.serverName, version: connection.version,
                limits: connection.limits, maxRequestsInFlight: connection.maxRequestsInFlight, stats: stats)
            let (path, server, version, limits, inFlight) = (
                connection.path, connection.serverName, connection.version, connection.limits, connection.maxRequestsInFlight)
            return CommandOutput(json: json) {
                let bytes = { (value: UInt64) in AdapterSummary.human(Int(clamping: value)) }
                return """
                    socket:      \(path)
                    server:      \(server) (protocol \(version))
                    limits:      frames up to \(limits.maxFrameBytes) bytes, \(limits.maxFDsPerFrame) descriptors, \(inFlight) requests in flight
                    uptime:      \(Self.duration(milliseconds: stats.uptimeMilliseconds))
                    connections: \(stats.connections)
                    sessions:    \(stats.sessions)
                    bases:       \(stats.basesResident) resident
                    segments:    \(stats.segments) (\(bytes(stats.segmentBytes)); budget \(bytes(stats.budgetBytes)))
                    cache:       \(stats.cacheHits) hits, \(stats.cacheMisses) misses
                    adapters:    \(stats.adapters) (store \(bytes(stats.storeBytes)))
                    """
            }
        }
    }

    /// `1d 2h 3m 4s`, leading zero units left out.
    static func duration(milliseconds: UInt64) -> String {
        var seconds = milliseconds / 1000
        let days = seconds / 86400
        seconds %= 86400
        let parts = [(days, "d"), (seconds / 3600, "h"), (seconds % 3600 / 60, "m"), (seconds % 60, "s")]
        let shown = parts.drop { $0.0 == 0 && $0.1 != "s" }
        return shown.map { "\($0.0)\($0.1)" }.joined(separator: " ")
    }
}
