import Foundation
import Glibc
import LoradSystem
import Testing

extension EndToEndTests {
    /// Group rules match the groups the connecting process holds, as the kernel reports them
    /// (`SO_PEERCRED`'s gid and `SO_PEERGROUPS`), not what the group database says about its
    /// user. Clients run under `setpriv`; the tests run as root.
    @Suite struct PeerGroupTests {
        /// A user that /etc/group lists as a member of a group other than its primary one,
        /// read straight from the files; nil when there is none.
        static let databaseMembership: (uid: UInt32, primaryGroup: UInt32, group: UInt32)? = {
            func lines(_ path: String) -> [[Substring]] {
                ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
                    .split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false) }
            }
            let users = lines("/etc/passwd").filter { $0.count >= 4 }
            for group in lines("/etc/group") where group.count >= 4 {
                guard let gid = UInt32(group[2]) else { continue }
                for name in group[3].split(separator: ",") {
                    guard let user = users.first(where: { $0[0] == name }), let uid = UInt32(user[2]), uid != 0,
                        let primary = UInt32(user[3]), primary != gid
                    else { continue }
                    return (uid, primary, gid)
                }
            }
            return nil
        }()

        /// `loractl COMMAND --socket S` as `uid`/`gid` with `groups`.
        func loractl(
            _ command: String, uid: UInt32 = 65534, gid: UInt32 = 65534, groups: ProcessRunner.SupplementaryGroups,
            _ daemon: DaemonProcess
        ) throws -> ProcessRunner.Outcome {
            try ProcessRunner.runAs(
                uid: uid, gid: gid, groups: groups, [TestPaths.binary("loractl"), command, "--socket", daemon.socketPath],
                in: daemon.folder)
        }

        /// A group the kernel gives the process (`setpriv --groups`, as systemd's
        /// `SupplementaryGroups=` does), that the group database does not know at all, admits
        /// it through `allow_groups` and makes it an admin through `admin_groups`; without
        /// the group it is refused.
        @Test func aGroupGivenOnlyByTheKernelCounts() throws {
            try #require(getuid() == 0, "the access tests switch credentials and need root")
            let daemon = try DaemonProcess(
                config: "[access]\nallow_groups = [3999999001]\nadmin_groups = [3999999002]\n", arguments: ["--socket-mode", "0666"])
            let admin = try daemon.waitUntilReady()

            let allowed = try loractl("status", groups: .given([3_999_999_001]), daemon)
            #expect(allowed.status == 0, "\(allowed)")
            let notAdmin = try loractl("evict", groups: .given([3_999_999_001]), daemon)
            #expect(notAdmin.status == 77 && notAdmin.stderr.contains("permission"), "\(notAdmin)")
            let groupAdmin = try loractl("evict", groups: .given([3_999_999_002]), daemon)
            #expect(groupAdmin.status == 0, "\(groupAdmin)")
            // The primary group from SO_PEERCRED counts too.
            let primary = try loractl("evict", gid: 3_999_999_002, groups: .cleared, daemon)
            #expect(primary.status == 0, "\(primary)")

            let cleared = try loractl("status", groups: .cleared, daemon)
            #expect(cleared.status == 77, "\(cleared)")
            #expect(cleared.stderr.contains("uid 65534 (gid 65534, no supplementary groups)"), "\(cleared)")
            #expect(daemon.eventually { daemon.log.contains("uid 65534 (gid 65534, no supplementary groups) may not connect") }, "\(daemon.log)")
            admin.close()
            #expect(try daemon.stop() == 0)
        }

        /// A process that dropped a group its user has in the group database
        /// (`setpriv --clear-groups`) is judged without it: it is refused by `allow_groups`
        /// and is no admin by `admin_groups`; the same user with its database groups
        /// (`setpriv --init-groups`, as a login has them) is admitted and administers.
        @Test(.enabled(if: databaseMembership != nil, "needs a user that /etc/group lists in a group other than its primary one"))
        func aGroupTheProcessDroppedNoLongerCounts() throws {
            try #require(getuid() == 0, "the access tests switch credentials and need root")
            let member = try #require(Self.databaseMembership)
            let allowing = try DaemonProcess(
                config: "[access]\nallow_groups = [\(member.group)]\n", arguments: ["--socket-mode", "0666"])
            _ = try allowing.waitUntilReady()
            let dropped = try loractl("status", uid: member.uid, gid: member.primaryGroup, groups: .cleared, allowing)
            #expect(dropped.status == 77, "\(dropped)")
            let withGroups = try loractl("status", uid: member.uid, gid: member.primaryGroup, groups: .fromDatabase, allowing)
            #expect(withGroups.status == 0, "\(withGroups)")
            #expect(try allowing.stop() == 0)

            let administering = try DaemonProcess(
                config: "[access]\nallow_uids = [\(member.uid)]\nadmin_groups = [\(member.group)]\n", arguments: ["--socket-mode", "0666"])
            _ = try administering.waitUntilReady()
            let plain = try loractl("evict", uid: member.uid, gid: member.primaryGroup, groups: .cleared, administering)
            #expect(plain.status == 77 && plain.stderr.contains("permission"), "\(plain)")
            let stillAllowed = try loractl("status", uid: member.uid, gid: member.primaryGroup, groups: .cleared, administering)
            #expect(stillAllowed.status == 0, "\(stillAllowed)")
            let admin = try loractl("evict", uid: member.uid, gid: member.primaryGroup, groups: .fromDatabase, administering)
            #expect(admin.status == 0, "\(admin)")
            #expect(try administering.stop() == 0)
        }
    }
}
