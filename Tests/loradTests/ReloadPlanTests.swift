import LoradConfig
import LoradServer
import LoradSystem
import Testing

@testable import lorad

@Suite struct ReloadPlanTests {
    static func config(bases: [(String, String)], allow: [UInt32] = [], inFlight: Int = 32, budget: Int = 1 << 30) -> DaemonConfig {
        DaemonConfig(
            bases: bases.map { ConfiguredBase(name: $0.0, path: $0.1) }, stateDirectory: "/var/lib/lorad",
            socketPath: "/run/lorad/lorad.sock", socketMode: 0o660, memoryBudget: budget, threads: 2,
            access: AccessPolicy(daemonUID: 100, allowedUIDs: allow),
            limits: ConnectionLimits(
                sessionsPerUID: 8, requestsInFlightPerConnection: inFlight, handshakeTimeout: .seconds(5),
                partialFrameTimeout: .seconds(5)))
    }

    @Test func sameConfigChangesNothing() {
        let running = Self.config(bases: [("a", "/m/a")])
        let plan = ReloadPlan(running: running, next: running)
        #expect(plan.basesToLoad.isEmpty && plan.basesRemoved.isEmpty)
        #expect(!plan.accessOrLimitsChanged && plan.needRestart.isEmpty)
        #expect(plan.summary == "nothing changed")
    }

    @Test func addedAndMovedBasesLoadRemovedOnesAreReported() {
        let running = Self.config(bases: [("a", "/m/a"), ("b", "/m/b"), ("c", "/m/c")])
        let next = Self.config(bases: [("a", "/m/a"), ("b", "/m/b2"), ("d", "/m/d")])
        let plan = ReloadPlan(running: running, next: next)
        #expect(plan.basesToLoad.map(\.name) == ["b", "d"])
        #expect(plan.basesRemoved == ["c"])
        #expect(plan.summary.contains("2 bases to load (b, d)"))
        #expect(plan.summary.contains("until they close): c"))
    }

    @Test func accessLimitsAndRestartOnlySettings() {
        let running = Self.config(bases: [])
        let plan = ReloadPlan(running: running, next: Self.config(bases: [], allow: [1000], inFlight: 4, budget: 1 << 20))
        #expect(plan.accessOrLimitsChanged)
        #expect(plan.needRestart == ["memory_budget"])
        #expect(plan.summary.contains("needs a restart: memory_budget"))
    }

    @Test func connectionLimitsApplyOnReload() {
        let running = Self.config(bases: [])
        for change in [\ConnectionLimits.maxConnections, \.connectionsPerUID, \.reservedConnections] {
            var next = running
            next.limits[keyPath: change] = 1
            let plan = ReloadPlan(running: running, next: next)
            #expect(plan.accessOrLimitsChanged, "\(change)")
            #expect(plan.needRestart.isEmpty, "\(change)")
        }
    }

    @Test func theStallTimeoutAndTheWorkerCapChangeOnReload() {
        let running = Self.config(bases: [])
        var next = running
        next.limits.outputStallTimeout = .seconds(5)
        next.limits.workersPerUID = 3
        let plan = ReloadPlan(running: running, next: next)
        #expect(plan.accessOrLimitsChanged && plan.needRestart.isEmpty)
    }
}
