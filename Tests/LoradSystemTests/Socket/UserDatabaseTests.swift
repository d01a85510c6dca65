import Glibc
import LoradSystem
import Testing

@Suite struct UserDatabaseTests {
    /// A user that /etc/group lists as a member of a group other than its
    /// primary one, read straight from the files (nil when there is none).
    static func someSupplementaryMembership() throws -> (uid: UInt32, primaryGroup: UInt32, group: UInt32)? {
        func lines(_ path: String) throws -> [[Substring]] {
            String(decoding: try contents(of: path), as: UTF8.self)
                .split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false) }
        }
        let users = try lines("/etc/passwd").filter { $0.count >= 4 }
        for group in try lines("/etc/group") where group.count >= 4 {
            guard let gid = UInt32(group[2]) else { continue }
            for name in group[3].split(separator: ",") {
                guard let user = users.first(where: { $0[0] == name }),
                      let uid = UInt32(user[2]), let primary = UInt32(user[3]), primary != gid else { continue }
                return (uid, primary, gid)
            }
        }
        return nil
    }

    @Test func rootIsKnown() throws {
        #expect(try UserDatabase.userName(of: 0) == "root")
        #expect(try UserDatabase.groupID(named: "root") == 0)
    }

    @Test func unknownNamesAndIdsAreNil() throws {
        #expect(try UserDatabase.userName(of: 3_999_999_999) == nil)
        #expect(try UserDatabase.groupID(named: "lorad-no-such-group-x9") == nil)
        #expect(try UserDatabase.groupIDs(ofUser: 3_999_999_999, primaryGroup: 4321) == [4321])
    }

    @Test func groupsStartWithThePrimaryGroupWithoutDuplicates() throws {
        let groups = try UserDatabase.groupIDs(ofUser: geteuid(), primaryGroup: getegid())
        #expect(groups.first == getegid())
        #expect(Set(groups).count == groups.count)
        // A primary group that the database does not know still comes first.
        let odd = try UserDatabase.groupIDs(ofUser: 0, primaryGroup: 3_999_999_997)
        #expect(odd.first == 3_999_999_997)
    }

    @Test func supplementaryGroupsFromTheGroupFile() throws {
        guard let member = try Self.someSupplementaryMembership() else { return }
        let groups = try UserDatabase.groupIDs(ofUser: member.uid, primaryGroup: member.primaryGroup)
        #expect(groups.first == member.primaryGroup)
        #expect(groups.contains(member.group))
    }

    @Test func lookupsWorkFromManyThreadsAtOnce() async throws {
        try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<16 { group.addTask { try UserDatabase.userName(of: 0) } }
            for try await name in group { #expect(name == "root") }
        }
    }
}
