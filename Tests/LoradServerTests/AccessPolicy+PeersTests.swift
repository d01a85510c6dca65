import LoradServer
import LoradSystem
import Testing

/// The verdict on a peer comes from its uid and the groups the kernel reported for it
/// (primary gid and `SO_PEERGROUPS`), nothing else.
@Suite struct AccessPolicyPeersTests {
    let rules = AccessPolicy(daemonUID: 500, allowedUIDs: [1000], allowedGIDs: [20], adminUIDs: [1001], adminGIDs: [30])

    func peer(_ uid: UInt32, _ gid: UInt32, _ groups: [UInt32]? = []) -> PeerCredentials {
        PeerCredentials(pid: 42, uid: uid, gid: gid, supplementaryGroups: groups)
    }

    @Test func rootAndTheDaemonAreAdmins() {
        #expect(rules.decide(for: peer(0, 0)) == .allowed(isAdmin: true))
        #expect(rules.decide(for: peer(500, 500)) == .allowed(isAdmin: true))
    }

    @Test func adminsByUIDPrimaryGroupAndSupplementaryGroup() {
        #expect(rules.decide(for: peer(1001, 1001)) == .allowed(isAdmin: true))
        #expect(rules.decide(for: peer(1002, 30)) == .allowed(isAdmin: true))
        #expect(rules.decide(for: peer(1003, 1003, [27, 30])) == .allowed(isAdmin: true))
    }

    @Test func allowedByUIDPrimaryGroupAndSupplementaryGroup() {
        #expect(rules.decide(for: peer(1000, 1000)) == .allowed(isAdmin: false))
        #expect(rules.decide(for: peer(1004, 20)) == .allowed(isAdmin: false))
        #expect(rules.decide(for: peer(1005, 1005, [20, 1005])) == .allowed(isAdmin: false))
    }

    @Test func othersAreRefused() {
        #expect(rules.decide(for: peer(65534, 65534, [65534, 100])) == .refused)
    }

    /// A process that dropped its groups (`setpriv --clear-groups`) is judged without them,
    /// whatever the group database says about its user; one given a group by its parent
    /// (`setpriv --groups`, `SupplementaryGroups=`) is judged with it.
    @Test func onlyTheGroupsTheProcessHoldsCount() {
        #expect(rules.decide(for: peer(1003, 1003, [])) == .refused)
        #expect(rules.decide(for: peer(1003, 1003, [4242, 20])) == .allowed(isAdmin: false))
        #expect(rules.decide(for: peer(1000, 1000, [])) == .allowed(isAdmin: false))
        #expect(rules.decide(for: peer(1000, 1000, [30])) == .allowed(isAdmin: true))
    }

    /// On a kernel without `SO_PEERGROUPS` only the primary group can match: a missing list
    /// never grants anything.
    @Test func unknownSupplementaryGroupsMatchThePrimaryGroupOnly() {
        #expect(rules.decide(for: peer(1003, 1003, nil)) == .refused)
        #expect(rules.decide(for: peer(1003, 20, nil)) == .allowed(isAdmin: false))
        #expect(rules.decide(for: peer(1003, 30, nil)) == .allowed(isAdmin: true))
    }

    @Test func refusalMessageSaysWhoByIdsAndHow() {
        let message = rules.refusalMessage(for: peer(1234, 99, [4, 27]))
        #expect(message.hasPrefix("uid 1234 (gid 99, groups 4, 27) may not connect to lorad;"), "\(message)")
        #expect(message.contains("access.allow_uids = [1234]"))
        #expect(message.contains("access.allow_groups"))
        #expect(rules.refusalMessage(for: peer(1234, 99)).hasPrefix("uid 1234 (gid 99, no supplementary groups) may not"))
        #expect(rules.refusalMessage(for: peer(1234, 99, nil)).contains("SO_PEERGROUPS needs Linux 4.13"))
    }

    @Test func refusalMessageShowsSixteenGroupsAndCountsTheRest() {
        let message = rules.refusalMessage(for: peer(1234, 99, (1...40).map { UInt32($0) }))
        #expect(message.contains("groups 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 and 24 more)"), "\(message)")
        #expect(message.utf8.count < 1024)
    }
}
