import Glibc
import LoradSystem
import Testing

@Suite struct UserDatabaseTests {
    @Test func rootIsKnown() throws {
        #expect(try UserDatabase.userName(of: 0) == "root")
        #expect(try UserDatabase.groupID(named: "root") == 0)
        #expect(try UserDatabase.groupName(of: 0) == "root")
        #expect(try UserDatabase.userID(named: "root") == 0)
    }

    @Test func unknownNamesAndIdsAreNil() throws {
        #expect(try UserDatabase.userName(of: 3_999_999_999) == nil)
        #expect(try UserDatabase.groupID(named: "lorad-no-such-group-x9") == nil)
        #expect(try UserDatabase.groupName(of: 3_999_999_999) == nil)
    }

    @Test func lookupsWorkFromManyThreadsAtOnce() async throws {
        try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<16 { group.addTask { try UserDatabase.userName(of: 0) } }
            for try await name in group { #expect(name == "root") }
        }
    }
}
