import LoradWire
import Testing

@testable import LoradDaemon

@Suite struct SessionTests {
    private func entry(_ name: String, _ weight: Double, version: Int = 1) -> SessionAdapter {
        SessionAdapter(name: name, version: version, digest: "digest-\(name)-\(version)", weight: weight)
    }

    private func session(_ mode: SessionMode = .fused) -> Session {
        Session(id: 7, connectionID: 1, uid: 1000, base: "tiny", mode: mode)
    }

    @Test func attachAppendsAndReplacesInPlace() throws {
        var s = session()
        _ = s.commit(active: try s.attaching(entry("a", 0.5)), held: [])
        _ = s.commit(active: try s.attaching(entry("b", 1)), held: [])
        #expect(s.active.map(\.name) == ["a", "b"])
        let replaced = try s.attaching(entry("a", -0.25, version: 2))
        #expect(replaced.map(\.name) == ["a", "b"])
        #expect(replaced[0].weight == -0.25 && replaced[0].version == 2)
    }

    @Test func attachRefusesANonFiniteWeightAndAFullSet() throws {
        var s = session()
        #expect(throws: SessionError.weightNotFinite(name: "a", weight: .infinity)) { _ = try s.attaching(entry("a", .infinity)) }
        #expect(throws: SessionError.self) { _ = try s.attaching(entry("a", .nan)) }
        _ = s.commit(active: (0..<Session.maxAdapters).map { entry("n\($0)", 1) }, held: [])
        #expect(throws: SessionError.setFull(count: Session.maxAdapters + 1, limit: Session.maxAdapters)) {
            _ = try s.attaching(entry("one-more", 1))
        }
    }

    @Test func detachNeedsAnActiveName() throws {
        var s = session()
        _ = s.commit(active: [entry("a", 1), entry("b", 2)], held: [])
        #expect(try s.detaching("a").map(\.name) == ["b"])
        #expect(throws: SessionError.notActive(name: "c", session: 7)) { _ = try s.detaching("c") }
        #expect(SessionError.notActive(name: "c", session: 7).code == .notFound)
    }

    @Test func switchRefusesDuplicates() {
        #expect(throws: SessionError.duplicateAdapter("a")) {
            _ = try Session.validated([entry("a", 1), entry("b", 1), entry("a", 2, version: 2)])
        }
        #expect(SessionError.duplicateAdapter("a").code == .invalidArgument)
        #expect((try? Session.validated([])) == [])
    }

    @Test func everyCommitBumpsTheGenerationAndReturnsTheOldKeys() {
        var s = session()
        #expect(s.generation == 0)
        let first: [SegmentKey] = [.factors(adapterDigest: "x")]
        #expect(s.commit(active: [entry("a", 1)], held: first).isEmpty)
        #expect(s.generation == 1)
        #expect(s.commit(active: [], held: []) == first)
        #expect(s.generation == 2)
        _ = s.commit(active: [entry("a", 1)], held: first)
        #expect(s.close() == first)
        #expect(s.active.isEmpty && s.held.isEmpty)
    }

    @Test func segmentKeysFollowTheMode() {
        let set = [entry("a", 0.7), entry("b", -0.3)]
        #expect(Session.segmentKeys(base: "tiny", mode: .factors, set: set) == [.factors(adapterDigest: "digest-a-1"), .factors(adapterDigest: "digest-b-1")])
        let fused = Session.segmentKeys(base: "tiny", mode: .fused, set: set)
        #expect(fused == [.overlay(base: "tiny", set: [.init(digest: "digest-a-1", weight: 0.7), .init(digest: "digest-b-1", weight: -0.3)])])
        #expect(Session.segmentKeys(base: "tiny", mode: .fused, set: []).isEmpty)
        // Order and weight bits matter for overlays.
        #expect(Session.segmentKeys(base: "tiny", mode: .fused, set: set.reversed()) != fused)
        #expect(Session.segmentKeys(base: "tiny", mode: .fused, set: [entry("a", 0.7), entry("b", -0.30000000000000004)]) != fused)
    }
}
