import Dispatch
import Foundation
import LoradClient
import LoradWire
import Synchronization
import Testing

extension EndToEndTests {
    /// Acceptance 2: many clients switching at once each get exactly their own set, and
    /// the daemon gives everything back when they are gone.
    @Suite struct ConcurrentSessionsTests {
        static let clients = 64
        static let iterations = 20

        /// The sets clients switch among (distinct sets, distinct overlays).
        static let sets: [AdapterSet] = [
            AdapterSet([]),
            AdapterSet([("plain", 1.0)]),
            AdapterSet([("meta", 1.0)]),
            AdapterSet([("plain", 0.7), ("meta", -0.3)]),
            AdapterSet([("meta", 0.5), ("plain", 0.25)]),
            AdapterSet([("plain", -1.0)]),
            AdapterSet([("meta", -2.0), ("plain", 1.5)]),
        ]

        /// The set client `client` asks for at `iteration`: neighbours differ, and every
        /// set is in use by several clients at any moment.
        static func set(client: Int, iteration: Int) -> AdapterSet {
            sets[(client * 3 + iteration * 5 + iteration / 3) % sets.count]
        }

        @Test func sixtyFourClientsSwitchingAtOnceEachGetTheirSetAndNothingLeaks() throws {
            let daemon = try DaemonProcess()
            let admin = try daemon.readyWithPlainAndMeta()
            let check = try SessionCheck(sets: Self.sets, folder: daemon.folder)
            let socket = daemon.socketPath

            // Warm up once (every set in both modes on one connection), so that whatever
            // the daemon opens once and keeps is open before the baseline.
            do {
                let warm = try daemon.connect(name: "warm-up")
                for mode in [SessionMode.fused, .factors] {
                    let session = try warm.openTinySession(mode)
                    for set in Self.sets {
                        try warm.switchAdapters(session: session, to: set.wire).closeDescriptors()
                    }
                }
                warm.close()
            }
            #expect(try daemon.eventually { try admin.stats().connections == 1 && admin.stats().sessions == 0 })
            _ = try admin.evict()
            let before = try admin.stats()
            // The descriptor baseline once it holds still for 10 readings in a row: the
            // warm-up's last replies and files may still be closing for a moment (a
            // baseline taken one descriptor high made a full-suite run fail once).
            var fdsBefore = try daemon.openDescriptorCount()
            var steadyReadings = 0
            #expect(try daemon.eventually {
                let now = try daemon.openDescriptorCount()
                steadyReadings = now == fdsBefore ? steadyReadings + 1 : 0
                fdsBefore = now
                return steadyReadings >= 10
            })

            let tally = Tally()
            let ready = DispatchGroup(), finished = DispatchGroup()
            let start = DispatchSemaphore(value: 0)
            for client in 0..<Self.clients {
                ready.enter()
                finished.enter()
                let thread = Thread {
                    defer { finished.leave() }
                    var entered = false
                    func arrive() { if !entered { entered = true; ready.leave(); start.wait() } }
                    defer { arrive() }
                    do {
                        let found = try Self.runClient(client, socket: socket, check: check, arrive: arrive, tally: tally)
                        tally.record(found)
                    } catch {
                        tally.record(["client \(client): \(error)"])
                    }
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
            if ready.wait(timeout: .now() + 120) == .timedOut {
                tally.record(["not every client connected and opened its session within 120 s"])
            }
            for _ in 0..<Self.clients { start.signal() }
            if finished.wait(timeout: .now() + 300) == .timedOut {
                Issue.record("the clients did not finish within 300 s; log:\n\(daemon.log)")
                return
            }
            let found = tally.problems.withLock { $0 }
            #expect(found.count == 0, "first problems: \(found.prefix(5))")
            #expect(tally.switches.load(ordering: .relaxed) == Self.clients * Self.iterations)

            // Everything the clients held is released: no connections or sessions left,
            // the cache evicts back to the baseline, and the daemon's descriptors return.
            #expect(try daemon.eventually { try admin.stats().connections == 1 && admin.stats().sessions == 0 })
            let evicted = try admin.evict()
            #expect(evicted.segmentsEvicted > 0)
            let after = try admin.stats()
            #expect(after.segments == before.segments)
            #expect(after.segmentBytes == before.segmentBytes)
            #expect(after.sessions == 0)
            var fdsAfter = -1
            #expect(try daemon.eventually(timeout: .seconds(20)) {
                fdsAfter = try daemon.openDescriptorCount()
                return fdsAfter == fdsBefore
            }, "lorad has \(fdsAfter) descriptors open, \(fdsBefore) before the run")
            #expect(try admin.ping(token: 99) == 99)
            admin.close()
            #expect(try daemon.stop() == 0)
        }

        /// One client: connect, open a session (even clients fused, odd ones factors), wait
        /// for the others (`arrive`), then switch `iterations` times checking every reply
        /// and, every other time, the mapped segments' contents. Even clients close their
        /// session; odd ones just disconnect. Returns the problems found.
        static func runClient(
            _ client: Int, socket: String, check: SessionCheck, arrive: () -> Void, tally: Tally
        ) throws -> [String] {
            let connection = try LoradConnection.connect(path: socket, name: "e2e-client-\(client)")
            defer { connection.close() }
            let mode: SessionMode = client.isMultiple(of: 2) ? .fused : .factors
            let opened = try connection.openSession(base: DaemonProcess.baseName, mode: mode)
            var problems = check.replyProblems(
                opened, session: opened.sessionID, mode: mode, generation: 0, set: AdapterSet([]))
            var previous = try SessionSegments(mapping: opened)
            arrive()
            for iteration in 0..<iterations {
                let set = Self.set(client: client, iteration: iteration)
                let state = try connection.switchAdapters(session: opened.sessionID, to: set.wire)
                tally.switches.add(1, ordering: .relaxed)
                problems += check.replyProblems(
                    state, session: opened.sessionID, mode: mode, generation: UInt64(iteration + 1), set: set)
                if (iteration + client).isMultiple(of: 2) {
                    let mapped = try SessionSegments(mapping: state, reusing: previous)
                    problems += check.contentProblems(mapped, set: set, checkBase: iteration < 2)
                    previous = mapped
                } else {
                    state.closeDescriptors()
                }
            }
            if mode == .fused { try connection.closeSession(opened.sessionID) }
            return problems.map { "client \(client): \($0)" }
        }

        /// What the client threads report, shared between them.
        final class Tally: Sendable {
            /// Every problem any client found.
            let problems = Mutex<[String]>([])
            /// Switches answered, over all clients.
            let switches = Atomic<Int>(0)

            func record(_ found: [String]) {
                if !found.isEmpty { problems.withLock { $0 += found } }
            }
        }
    }
}
