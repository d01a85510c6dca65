import LoradDaemon
import LoradServer
import LoradServerTestSupport
import LoradWire
import Testing

/// STATS counts every open connection: idle ones, and ones that have not said HELLO yet.
@Suite(.serialized) struct ConnectionCountTests {
    static func connections(_ client: TestClient) throws -> UInt32? {
        guard case .stats(let figures) = try client.call(.stats(StatsRequest())).message else { return nil }
        return figures.connections
    }

    @Test func statsCountIdleConnections() async throws {
        let scratch = try ScratchFolder()
        let core = try DaemonCore(
            storeRoot: scratch.path + "/store", options: CoreOptions(memoryBudget: 16 << 20, threads: 2, sessionsPerUID: 8))
        let harness = try ServerHarness(handler: core)
        defer { harness.cleanup() }

        let idle = try harness.readyClient()
        let silent = try harness.client()  // no HELLO yet
        let asking = try harness.readyClient()
        #expect(eventually { harness.server.statistics.snapshot().connectionsOpen == 3 })
        #expect(try Self.connections(asking) == 3)

        silent.close()
        #expect(eventually { harness.server.statistics.snapshot().connectionsOpen == 2 })
        #expect(try Self.connections(asking) == 2)
        idle.close()
        #expect(eventually { (try? Self.connections(asking)) == 1 })
        asking.close()
    }
}
