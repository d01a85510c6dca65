import Testing

@testable import LoradServer

/// The connection limits as a pure policy: every combination of small limits and counts
/// against the rule stated independently, then the counting over a sequence of peers.
@Suite struct AdmissionLimitsTests {
    /// The rule, written apart from the code: privileged peers (root, the daemon's uid,
    /// admins) are refused only when the reserved slots are full too; ordinary peers when
    /// their uid is at its limit (reported first) or the server is at `max_connections`.
    func expected(_ limits: AdmissionLimits, privileged: Bool, open: Int, openByUID: Int) -> AdmissionRefusal? {
        if privileged {
            return open < limits.maxConnections + limits.reservedConnections
                ? nil : .serverFull(open: open, limit: limits.maxConnections + limits.reservedConnections, reserved: true)
        }
        if openByUID >= limits.connectionsPerUID {
            return .uidLimit(uid: 1000, open: openByUID, limit: limits.connectionsPerUID)
        }
        if open >= limits.maxConnections { return .serverFull(open: open, limit: limits.maxConnections, reserved: false) }
        return nil
    }

    @Test func everySmallCaseFollowsTheRule() {
        var cases = 0
        for maxConnections in 1...4 {
            for perUID in 1...5 {
                for reserved in 0...3 {
                    let limits = AdmissionLimits(maxConnections: maxConnections, connectionsPerUID: perUID, reservedConnections: reserved)
                    #expect(limits.validationProblem == nil)
                    for open in 0...(maxConnections + reserved + 1) {
                        for openByUID in 0...open {
                            for privileged in [false, true] {
                                let got = limits.refusal(uid: 1000, privileged: privileged, open: open, openByUID: openByUID)
                                #expect(
                                    got == expected(limits, privileged: privileged, open: open, openByUID: openByUID),
                                    "\(limits) privileged \(privileged) open \(open) by uid \(openByUID)")
                                cases += 1
                            }
                        }
                    }
                }
            }
        }
        #expect(cases > 2000)
    }

    @Test func aUidHoldingEveryOrdinarySlotLeavesTheReservedOnesToAdmins() {
        let limits = AdmissionLimits(maxConnections: 4, connectionsPerUID: 4, reservedConnections: 2)
        var admission = ConnectionAdmission()
        for _ in 0..<4 { #expect(admission.admit(uid: 1000, privileged: false, limits: limits) == nil) }
        // The same user, and any other ordinary one, is refused: the server is full.
        #expect(admission.admit(uid: 1000, privileged: false, limits: limits) == .uidLimit(uid: 1000, open: 4, limit: 4))
        #expect(admission.admit(uid: 1001, privileged: false, limits: limits) == .serverFull(open: 4, limit: 4, reserved: false))
        // Root and admins get the reserved slots, then no more.
        #expect(admission.admit(uid: 0, privileged: true, limits: limits) == nil)
        #expect(admission.admit(uid: 1002, privileged: true, limits: limits) == nil)
        #expect(admission.admit(uid: 0, privileged: true, limits: limits) == .serverFull(open: 6, limit: 6, reserved: true))
        #expect(admission.open == 6)
        #expect(admission.count(uid: 1000) == 4)
        // One of the user's connections closes: a slot of the reserve is still taken, so an
        // ordinary peer still finds the server full (6 open, limit 4) ...
        admission.release(uid: 1000)
        #expect(admission.admit(uid: 1001, privileged: false, limits: limits) == .serverFull(open: 5, limit: 4, reserved: false))
        // ... until the admins leave too.
        admission.release(uid: 0)
        admission.release(uid: 1002)
        #expect(admission.admit(uid: 1001, privileged: false, limits: limits) == nil)
        #expect(admission.count(uid: 1001) == 1)
        #expect(admission.open == 4)
    }

    @Test func privilegedPeersAreExemptFromThePerUIDLimit() {
        let limits = AdmissionLimits(maxConnections: 64, connectionsPerUID: 1, reservedConnections: 0)
        var admission = ConnectionAdmission()
        for _ in 0..<64 { #expect(admission.admit(uid: 0, privileged: true, limits: limits) == nil) }
        #expect(admission.count(uid: 0) == 64)
        #expect(admission.admit(uid: 0, privileged: true, limits: limits) == .serverFull(open: 64, limit: 64, reserved: true))
    }

    @Test func aLoweredLimitKeepsOpenConnectionsAndRefusesNewOnes() {
        var admission = ConnectionAdmission()
        let generous = AdmissionLimits(maxConnections: 10, connectionsPerUID: 5, reservedConnections: 0)
        for _ in 0..<5 { #expect(admission.admit(uid: 1000, privileged: false, limits: generous) == nil) }
        let lowered = AdmissionLimits(maxConnections: 10, connectionsPerUID: 2, reservedConnections: 0)
        #expect(admission.admit(uid: 1000, privileged: false, limits: lowered) == .uidLimit(uid: 1000, open: 5, limit: 2))
        #expect(admission.count(uid: 1000) == 5, "open connections stay")
        for _ in 0..<3 { admission.release(uid: 1000) }
        #expect(admission.admit(uid: 1000, privileged: false, limits: lowered) == .uidLimit(uid: 1000, open: 2, limit: 2))
        admission.release(uid: 1000)
        #expect(admission.admit(uid: 1000, privileged: false, limits: lowered) == nil)
    }

    @Test func refusalsSayWhichLimitAndWhatToDo() {
        let perUID = AdmissionRefusal.uidLimit(uid: 1000, open: 2, limit: 2)
        #expect(perUID.payload.code == .tooManyConnections)
        // The text of protocol/vectors/fatal_too_many_connections.hex.
        #expect(
            perUID.message
                == "uid 1000 has 2 connections to lorad open, the most one user may have (limits.connections_per_uid = 2); close one of them and retry, or ask an administrator to raise the limit")
        #expect(perUID.message.contains("uid 1000 has 2 connections"))
        #expect(perUID.message.contains("limits.connections_per_uid = 2"))
        let full = AdmissionRefusal.serverFull(open: 1024, limit: 1024, reserved: false)
        #expect(full.message.contains("limits.max_connections"))
        #expect(full.message.contains("retry"))
        #expect(AdmissionRefusal.serverFull(open: 9, limit: 9, reserved: true).message.contains("reserved_connections"))
        for refusal in [perUID, full] { #expect(!refusal.message.contains("\n")) }
    }

    @Test func descriptorsNeededCoverEveryConnectionAndTheHeadroom() {
        #expect(AdmissionLimits.defaults.acceptCeiling == 1032)
        #expect(AdmissionLimits.defaults.descriptorsNeeded == 1032 * 17 + 4096)
        let huge = AdmissionLimits(maxConnections: .max, connectionsPerUID: 1, reservedConnections: 1)
        #expect(huge.descriptorsNeeded == .max, "saturates instead of trapping")
        #expect(AdmissionLimits(maxConnections: 0, connectionsPerUID: 1, reservedConnections: 0).validationProblem != nil)
        #expect(AdmissionLimits(maxConnections: 1, connectionsPerUID: 0, reservedConnections: 0).validationProblem != nil)
        #expect(AdmissionLimits(maxConnections: 1, connectionsPerUID: 1, reservedConnections: -1).validationProblem != nil)
    }

    @Test func theLogThrottleLetsOneLineThroughPerInterval() {
        var throttle = LogThrottle(interval: .seconds(10))
        let start = ContinuousClock.now
        #expect(throttle.admit(now: start) == 0)
        #expect(throttle.admit(now: start.advanced(by: .seconds(1))) == nil)
        #expect(throttle.admit(now: start.advanced(by: .seconds(9))) == nil)
        #expect(throttle.admit(now: start.advanced(by: .seconds(10))) == 2, "reports the two held back")
        #expect(throttle.admit(now: start.advanced(by: .seconds(11))) == nil)
        #expect(throttle.admit(now: start.advanced(by: .seconds(30))) == 1)
        #expect(throttle.admit(now: start.advanced(by: .seconds(45))) == 0)
        #expect(LogThrottle.note(heldBack: 0) == "")
        #expect(LogThrottle.note(heldBack: 3) == "; 3 more like it not logged since the previous one")
    }
}
