import LoradServer
import LoradSystem
import Testing

@Suite struct AccessPolicyPeersTests {
    let rules = AccessPolicy(daemonUID: 500, allowedUIDs: [1000], allowedGIDs: [20], adminUIDs: [1001], adminGIDs: [30])

    @Test func rootAndTheDaemonAreAdmins() {
        #expect(rules.decide(uid: 0, gid: 0) { [] } == .allowed(isAdmin: true))
        #expect(rules.decide(uid: 500, gid: 500) { [] } == .allowed(isAdmin: true))
    }

    @Test func adminsByUIDAndGroup() {
        #expect(rules.decide(uid: 1001, gid: 1001) { [] } == .allowed(isAdmin: true))
        #expect(rules.decide(uid: 1002, gid: 30) { [] } == .allowed(isAdmin: true))
        #expect(rules.decide(uid: 1003, gid: 1003) { [1003, 30] } == .allowed(isAdmin: true))
    }

    @Test func allowedByUIDAndGroup() {
        #expect(rules.decide(uid: 1000, gid: 1000) { [] } == .allowed(isAdmin: false))
        #expect(rules.decide(uid: 1004, gid: 20) { [] } == .allowed(isAdmin: false))
        #expect(rules.decide(uid: 1005, gid: 1005) { [1005, 20] } == .allowed(isAdmin: false))
    }

    @Test func othersAreRefused() {
        #expect(rules.decide(uid: 65534, gid: 65534) { [65534, 100] } == .refused)
    }

    @Test func groupsAreLookedUpOnlyWhenARuleNeedsThem() {
        var lookups = 0
        let uidOnly = AccessPolicy(daemonUID: 500, allowedUIDs: [1000])
        _ = uidOnly.decide(uid: 7, gid: 7) { lookups += 1; return [] }
        #expect(lookups == 0)
        _ = rules.decide(uid: 0, gid: 0) { lookups += 1; return [] }
        #expect(lookups == 0)
        _ = rules.decide(uid: 7, gid: 7) { lookups += 1; return [] }
        #expect(lookups == 1)
    }

    @Test func aSupplementaryAdminGroupMakesAnAllowedUIDAnAdmin() {
        #expect(rules.decide(uid: 1000, gid: 1000) { [30] } == .allowed(isAdmin: true))
    }

    @Test func refusalMessageSaysWhoAndHow() {
        let message = rules.refusalMessage(uid: 1234, gid: 99, userName: "alice")
        #expect(message.contains("alice"))
        #expect(message.contains("uid 1234"))
        #expect(message.contains("access.allow_uids"))
        #expect(message.contains("access.allow_groups"))
        #expect(rules.refusalMessage(uid: 1234, gid: 99, userName: nil).contains("uid 1234 (gid 99)"))
    }
}
