import LoradSystem
import Testing

@Suite struct AccessPolicyTests {
    let policy = AccessPolicy(daemonUID: 998, allowedUIDs: [1001, 1000, 1000], allowedGIDs: [990], adminUIDs: [1002], adminGIDs: [991])

    @Test func listsAreSortedAndUnique() {
        #expect(policy.allowedUIDs == [1000, 1001])
    }

    @Test func rootAndTheDaemonAreAlwaysAdmins() {
        #expect(policy.isAdmin(uid: 0, gids: []))
        #expect(policy.isAdmin(uid: 998, gids: []))
        #expect(policy.allowsConnection(uid: 0, gids: []))
        #expect(policy.allowsConnection(uid: 998, gids: []))
        #expect(AccessPolicy(daemonUID: 0).allowsConnection(uid: 0, gids: []))
        #expect(!AccessPolicy(daemonUID: 0).allowsConnection(uid: 1000, gids: [1000]))
    }

    @Test func allowedUsersAndGroups() {
        #expect(policy.allowsConnection(uid: 1000, gids: []))
        #expect(!policy.isAdmin(uid: 1000, gids: []))
        #expect(policy.allowsConnection(uid: 5000, gids: [100, 990]))
        #expect(!policy.isAdmin(uid: 5000, gids: [100, 990]))
        #expect(!policy.allowsConnection(uid: 5000, gids: [100]))
    }

    @Test func adminsMayConnect() {
        #expect(policy.isAdmin(uid: 1002, gids: []))
        #expect(policy.allowsConnection(uid: 1002, gids: []))
        #expect(policy.isAdmin(uid: 5000, gids: [991]))
        #expect(policy.allowsConnection(uid: 5000, gids: [991]))
    }
}
