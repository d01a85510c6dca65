import Glibc
import LoradSystem
import Testing

@Suite struct PeerCredentialsTests {
    @Test func socketPairPeersAreThisProcess() throws {
        try expectNoDescriptorLeak {
            let (a, b) = try UnixSocket.socketPair()
            defer { try? a.close(); try? b.close() }
            let expected = PeerCredentials(pid: getpid(), uid: geteuid(), gid: getegid())
            #expect(try a.peerCredentials() == expected)
            #expect(try b.peerCredentials() == expected)
        }
    }

    @Test func descriptionNamesTheIds() {
        #expect(PeerCredentials(pid: 42, uid: 1000, gid: 100).description == "pid 42 uid 1000 gid 100")
    }

    @Test func peerCredentialsOfANonSocketFail() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let fd = try FileDescriptor.open(temp.path, .readOnly, options: .directory)
        defer { try? fd.close() }
        let error = #expect(throws: SystemError.self) { _ = try UnixSocket(fileDescriptor: fd).peerCredentials() }
        #expect(error?.errno == ENOTSOCK)
    }

    @Test func membershipOfThePrimaryGroupNeedsNoLookup() throws {
        let peer = PeerCredentials(pid: 1, uid: 3_999_999_999, gid: 77)
        #expect(try peer.isMember(ofGroup: 77))
        // No passwd entry: no supplementary groups.
        #expect(try !peer.isMember(ofGroup: 0))
    }

    @Test func membershipThroughSupplementaryGroups() throws {
        let me = PeerCredentials.ofThisProcess
        #expect(try me.isMember(ofGroup: me.gid))
        #expect(try !me.isMember(ofGroup: 3_999_999_998))
        guard let member = try UserDatabaseTests.someSupplementaryMembership() else { return }
        let peer = PeerCredentials(pid: 1, uid: member.uid, gid: member.primaryGroup)
        #expect(try peer.isMember(ofGroup: member.group))
    }
}
