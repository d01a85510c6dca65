import LoradWire
import Testing

@testable import LoradDaemon

@Suite struct SessionTableTests {
    @Test func theLimitIsPerUID() throws {
        var table = SessionTable(limitPerUID: 2)
        _ = try table.open(connectionID: 1, uid: 1000, base: "b", mode: .fused)
        _ = try table.open(connectionID: 2, uid: 1000, base: "b", mode: .factors)
        #expect(throws: SessionError.sessionLimit(uid: 1000, limit: 2)) {
            _ = try table.open(connectionID: 3, uid: 1000, base: "b", mode: .fused)
        }
        #expect(SessionError.sessionLimit(uid: 1000, limit: 2).code == .resourceExhausted)
        _ = try table.open(connectionID: 3, uid: 1001, base: "b", mode: .fused)
        #expect(table.count == 3)
    }

    @Test func sessionsBelongToTheirConnection() throws {
        var table = SessionTable(limitPerUID: 8)
        let mine = try table.open(connectionID: 1, uid: 1000, base: "b", mode: .fused)
        let other = try table.open(connectionID: 2, uid: 1000, base: "b", mode: .fused)
        #expect(mine.id != other.id)
        #expect(try table.session(mine.id, connectionID: 1).id == mine.id)
        #expect(throws: SessionError.sessionNotFound(other.id)) { _ = try table.session(other.id, connectionID: 1) }
        #expect(throws: SessionError.sessionNotFound(other.id)) { _ = try table.close(other.id, connectionID: 1) }
        #expect(table.count == 2)
    }

    @Test func closingReturnsTheHeldKeys() throws {
        var table = SessionTable(limitPerUID: 8)
        var a = try table.open(connectionID: 1, uid: 1, base: "b", mode: .factors)
        var b = try table.open(connectionID: 1, uid: 1, base: "b", mode: .factors)
        let c = try table.open(connectionID: 2, uid: 1, base: "other", mode: .factors)
        let adapter = SessionAdapter(name: "x", version: 3, digest: "d", weight: 1)
        _ = a.commit(active: [adapter], held: [.factors(adapterDigest: "d")])
        _ = b.commit(active: [adapter], held: [.factors(adapterDigest: "d")])
        table.update(a)
        table.update(b)
        #expect(table.uses(adapter: "x", version: nil) && table.uses(adapter: "x", version: 3))
        #expect(!table.uses(adapter: "x", version: 2) && !table.uses(adapter: "y", version: nil))
        #expect(table.uses(base: "other") && !table.uses(base: "none"))
        #expect(try table.close(a.id, connectionID: 1) == [.factors(adapterDigest: "d")])
        #expect(table.closeAll(connectionID: 1) == [.factors(adapterDigest: "d")])
        #expect(table.all.map(\.id) == [c.id])
        // An update of a closed session is ignored.
        table.update(a)
        #expect(table.count == 1)
    }
}
