import LoradClient
import LoradWire
import Testing

extension EndToEndTests {
    /// The memory budget for derived segments holds under pressure: a set that cannot fit
    /// gets `resource_exhausted` and changes nothing, and released segments make room again.
    @Suite struct MemoryBudgetTests {
        @Test func aFullBudgetRefusesNewOverlaysUntilSessionsLetGo() throws {
            let budget: UInt64 = 1 << 20
            let daemon = try DaemonProcess(memoryBudget: "1MiB")
            let admin = try daemon.readyWithPlainAndMeta()
            let baseBytes = try admin.stats().segmentBytes

            // Each session holds its own overlay (distinct weights): about 64 KiB each, so
            // a 1 MiB budget runs out before 40 of them.
            var sessions: [UInt64] = []
            var refused: UInt64?
            for index in 0..<40 {
                let session = try admin.openTinySession(.fused)
                sessions.append(session)
                let outcome = Result { () throws(LoradClientError) in
                    try admin.switchAdapters(
                        session: session, to: AdapterSet([("plain", 0.01 * Double(index + 1))]).wire
                    ).closeDescriptors()
                }
                if case .failure(let error) = outcome {
                    #expect(error.code == .resourceExhausted, "\(error)")
                    #expect(error.isRequestError)
                    refused = session
                    break
                }
                let stats = try admin.stats()
                #expect(stats.segmentBytes - baseBytes <= budget, "\(stats)")
            }
            let full = try #require(refused, "40 distinct overlays fitted in a 1 MiB budget")
            #expect(sessions.count > 5)

            // The refused switch changed nothing.
            let unchanged = try admin.getSegments(session: full)
            #expect(unchanged.generation == 0 && unchanged.active.isEmpty && unchanged.segments.count == 1)
            unchanged.closeDescriptors()

            // Once other sessions let go, the same request fits (unreferenced segments are
            // evicted to make room) and is right.
            for session in sessions where session != full { try admin.closeSession(session) }
            let set = AdapterSet([("plain", 0.7), ("meta", -0.3)])
            let check = try SessionCheck(sets: [set], folder: daemon.folder)
            let state = try admin.switchAdapters(session: full, to: set.wire)
            #expect(check.replyProblems(state, session: full, mode: .fused, generation: 1, set: set) == [])
            #expect(check.contentProblems(try SessionSegments(mapping: state), set: set, checkBase: true) == [])
            #expect(try admin.stats().segmentBytes - baseBytes <= budget)
            admin.close()
            #expect(try daemon.stop() == 0)
        }
    }
}
