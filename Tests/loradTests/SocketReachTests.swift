import LoradConfig
@testable import lorad
import LoradServer
import LoradSystem
import Testing

/// Which allowed users and groups a socket file's owner, group and mode keep out, as the
/// kernel's one-class permission check decides (connecting needs write permission).
@Suite struct SocketReachTests {
    /// A socket owned by root and gid 990 (`lorad`), with `mode`.
    func socket(_ mode: UInt32, group: UInt32 = 990, owner: UInt32 = 0) -> SocketReach {
        SocketReach(owner: owner, group: group, mode: mode)
    }

    func policy(
        allowGroups: [UInt32] = [], adminGroups: [UInt32] = [], allowUIDs: [UInt32] = [], adminUIDs: [UInt32] = []
    ) -> AccessPolicy {
        AccessPolicy(daemonUID: 998, allowedUIDs: allowUIDs, allowedGIDs: allowGroups, adminUIDs: adminUIDs, adminGIDs: adminGroups)
    }

    @Test func theSocketsOwnGroupWithGroupWriteIsFine() {
        #expect(socket(0o660).problems(for: policy(allowGroups: [990])).isEmpty)
        #expect(socket(0o620).problems(for: policy(adminGroups: [990])).isEmpty)
    }

    /// The case: started outside systemd as root, the socket is root:root 0660, so
    /// `allow_groups` members get EACCES unless they are also in group root.
    @Test func anAllowedGroupThatDoesNotOwnTheSocketNeedsTheSocketsGroupOrOthersWrite() {
        let problems = socket(0o660, group: 0).problems(for: policy(allowGroups: [990]))
        #expect(problems == [SocketReachProblem(key: "access.allow_groups", subject: .group(990), reach: .onlyThroughSocketGroup)])
        #expect(socket(0o600, group: 0).problems(for: policy(allowGroups: [990]))
            == [SocketReachProblem(key: "access.allow_groups", subject: .group(990), reach: .never)])
        #expect(socket(0o666, group: 0).problems(for: policy(allowGroups: [990])).isEmpty)
        #expect(socket(0o662, group: 0).problems(for: policy(allowGroups: [990])).isEmpty)
    }

    /// Only one class of bits applies: members of the socket's group use the group's bits
    /// even when others may write.
    @Test func theSocketsGroupWithoutGroupWriteCannotConnectEvenIfOthersMay() {
        #expect(socket(0o606).problems(for: policy(allowGroups: [990]))
            == [SocketReachProblem(key: "access.allow_groups", subject: .group(990), reach: .never)])
        #expect(socket(0o640).problems(for: policy(adminGroups: [990]))
            == [SocketReachProblem(key: "access.admin_groups", subject: .group(990), reach: .never)])
    }

    @Test func usersGoByOwnerGroupOrOthersBits() {
        // Root passes any mode; the owner needs the owner's write bit.
        #expect(socket(0o000).problems(for: policy(allowUIDs: [0])).isEmpty)
        #expect(socket(0o460, owner: 998).problems(for: policy(adminUIDs: [998]))
            == [SocketReachProblem(key: "access.admin_uids", subject: .user(998), reach: .never)])
        #expect(socket(0o660, owner: 998).problems(for: policy(adminUIDs: [998])).isEmpty)
        // Anyone else: others' write, else only through the socket's group, else never.
        #expect(socket(0o666).problems(for: policy(allowUIDs: [1000])).isEmpty)
        #expect(socket(0o660).problems(for: policy(allowUIDs: [1000]))
            == [SocketReachProblem(key: "access.allow_uids", subject: .user(1000), reach: .onlyThroughSocketGroup)])
        #expect(socket(0o600).problems(for: policy(allowUIDs: [1000]))
            == [SocketReachProblem(key: "access.allow_uids", subject: .user(1000), reach: .never)])
    }

    @Test func eachIdIsReportedOnceUnderTheFirstKeyInOrder() {
        let problems = socket(0o600).problems(
            for: policy(allowGroups: [991, 992], adminGroups: [992, 993], allowUIDs: [1000], adminUIDs: [1000, 1001]))
        #expect(problems.map(\.key) == ["access.allow_groups", "access.allow_groups", "access.admin_groups", "access.allow_uids", "access.admin_uids"])
        #expect(problems.map(\.subject) == [.group(991), .group(992), .group(993), .user(1000), .user(1001)])
    }

    @Test func noRulesNoProblems() {
        #expect(socket(0o600).problems(for: policy()).isEmpty)
        #expect(socket(0o000).problems(for: AccessPolicy(daemonUID: 0)).isEmpty)
    }

    @Test func messagesSayWhoWhyAndWhatToChange() {
        let names: (UInt32) -> String? = { [0: "root", 990: "lorad", 991: "lorad-admin", 1000: "alice"][$0] }
        func message(_ reach: SocketReach, _ access: AccessPolicy) -> String {
            reach.problems(for: access).first?.message(socket: reach, userName: names, groupName: names) ?? "no problem"
        }
        #expect(message(socket(0o660, group: 0), policy(allowGroups: [990]))
            == "members of group lorad (gid 990), listed in access.allow_groups, can connect only if they are also in group root (gid 0), the socket's group (socket_mode 0660 gives others no write permission): set socket_group to their group, add them to group root (gid 0), or let others write with socket_mode = \"0662\" ([access] still decides who is served)")
        #expect(message(socket(0o640), policy(allowGroups: [990]))
            == "members of group lorad (gid 990), listed in access.allow_groups, cannot connect: socket_mode 0640 gives the socket's group no write permission; use socket_mode = \"0660\"")
        #expect(message(socket(0o600, group: 0), policy(adminGroups: [4242]))
            == "members of gid 4242, listed in access.admin_groups, cannot connect: socket_mode 0600 gives neither the socket's group nor others write permission; set socket_group to their group and use socket_mode = \"0620\"")
        #expect(message(socket(0o660), policy(allowUIDs: [1000]))
            == "user alice (uid 1000), listed in access.allow_uids, can connect only if it is in group lorad (gid 990), the socket's group (socket_mode 0660 gives others no write permission): add it to that group, or let others write with socket_mode = \"0662\" ([access] still decides who is served)")
        #expect(message(socket(0o600), policy(allowUIDs: [1001]))
            == "uid 1001, listed in access.allow_uids, cannot connect: socket_mode 0600 gives neither the socket's group nor others write permission; put it in a group named by socket_group and use socket_mode = \"0620\"")
        #expect(message(socket(0o060, owner: 998), policy(adminUIDs: [998]))
            == "uid 998, listed in access.admin_uids, owns the socket but cannot connect: socket_mode 0060 gives the owner no write permission; use socket_mode = \"0260\"")
    }

    @Test func onlyRootMayChooseAGroupItIsNotIn() {
        let nobody = PeerCredentials(pid: 1, uid: 65534, gid: 65534, supplementaryGroups: [4242])
        #expect(SocketReach.mayChooseGroup(4242, as: nobody))
        #expect(SocketReach.mayChooseGroup(65534, as: nobody))
        #expect(!SocketReach.mayChooseGroup(990, as: nobody))
        #expect(SocketReach.mayChooseGroup(990, as: PeerCredentials(pid: 1, uid: 0, gid: 0)))
    }

    /// `--check-config` predicts the socket from the config and the process: the group is
    /// `socket_group` or the process's (the folder's when it is set-group-ID).
    @Test func checkConfigWarningsForTheProcess() {
        var config = DaemonConfig(
            bases: [], stateDirectory: "/var/lib/lorad", socketPath: "/nonexistent-lorad-dir/lorad.sock", socketMode: 0o660,
            memoryBudget: 1 << 30, threads: 1, access: AccessPolicy(daemonUID: 0, allowedGIDs: [3_999_999_990]), limits: .defaults)
        let root = PeerCredentials(pid: 1, uid: 0, gid: 0)
        #expect(config.socketWarnings(process: root).count == 1)
        #expect(config.socketWarnings(process: root).first?.contains("gid 3999999990, listed in access.allow_groups, can connect only if") == true)
        config.socketGroup = 3_999_999_990
        #expect(config.socketWarnings(process: root).isEmpty)
        let nobody = PeerCredentials(pid: 1, uid: 65534, gid: 65534)
        let warnings = config.socketWarnings(process: nobody)
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("socket_group gid 3999999990: uid 65534 is neither root nor in that group") == true)
    }
}
