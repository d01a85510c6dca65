import Glibc
import LoradSystem
import Testing

@Suite struct PeerCredentialsTests {
    /// Whether the tests that start a client under other credentials can run: they need
    /// root, `setpriv` (util-linux) and python3.
    static let canSwitchCredentials =
        getuid() == 0 && FileStatus.exists("/usr/bin/setpriv") && FileStatus.exists("/usr/bin/python3")

    @Test func socketPairPeersAreThisProcess() throws {
        try expectNoDescriptorLeak {
            let (a, b) = try UnixSocket.socketPair()
            defer { try? a.close(); try? b.close() }
            let expected = PeerCredentials.ofThisProcess
            #expect(expected.pid == getpid() && expected.uid == geteuid() && expected.gid == getegid())
            #expect(try a.peerCredentials() == expected)
            #expect(try b.peerCredentials() == expected)
        }
    }

    @Test func descriptionNamesTheIdsAndGroups() {
        #expect(PeerCredentials(pid: 42, uid: 1000, gid: 100).description == "pid 42 uid 1000 gid 100")
        #expect(PeerCredentials(pid: 42, uid: 1000, gid: 100, supplementaryGroups: [27, 4, 27]).description
            == "pid 42 uid 1000 gid 100 groups 4,27")
        #expect(PeerCredentials(pid: 42, uid: 1000, gid: 100, supplementaryGroups: nil).description
            == "pid 42 uid 1000 gid 100 groups unknown")
    }

    @Test func groupsArePrimaryFirstThenSupplementaryOnce() {
        #expect(PeerCredentials(pid: 1, uid: 7, gid: 50, supplementaryGroups: [60, 50, 10, 60]).groups == [50, 10, 60])
        #expect(PeerCredentials(pid: 1, uid: 7, gid: 50, supplementaryGroups: nil).groups == [50])
        #expect(PeerCredentials(pid: 1, uid: 7, gid: 50).groups == [50])
    }

    @Test func peerCredentialsOfANonSocketFail() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let fd = try FileDescriptor.open(temp.path, .readOnly, options: .directory)
        defer { try? fd.close() }
        let error = #expect(throws: SystemError.self) { _ = try UnixSocket(fileDescriptor: fd).peerCredentials() }
        #expect(error?.errno == ENOTSOCK)
    }

    /// The groups are the connecting process's own, as `setpriv` set them: 100 groups the
    /// group database has never heard of (more than the first buffer holds, so the `ERANGE`
    /// path runs), or none at all.
    @Test(.enabled(if: canSwitchCredentials, "needs root, setpriv and python3"))
    func theGroupsAreTheProcesssOwnAsTheKernelRecordedThem() throws {
        let given = (0..<100).map { UInt32(3_900_000_000 + $0 * 7) }
        let peer = try Self.peer(connectingWith: ["--groups", given.map(String.init).joined(separator: ",")])
        #expect(peer.uid == 65534 && peer.gid == 65534)
        #expect(peer.supplementaryGroups == given.sorted())
        #expect(peer.groups == [65534] + given.sorted())

        let cleared = try Self.peer(connectingWith: ["--clear-groups"])
        #expect(cleared.supplementaryGroups == [])
        #expect(cleared.groups == [65534])
    }

    /// The credentials `accept` reports for a python3 client started by `setpriv --reuid
    /// 65534 --regid 65534` plus `options`.
    static func peer(connectingWith options: [String]) throws -> PeerCredentials {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        chmod(temp.path, 0o755)
        let path = temp.file("s")
        let listener = try UnixSocket.listen(path: path, mode: 0o666)
        defer { try? listener.close() }
        let client = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sys.argv[1])
            s.recv(1)
            """
        let child = try spawn(
            ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534"] + options + ["--", "/usr/bin/python3", "-c", client, path])
        var exited = false
        defer {
            if !exited {
                kill(child, SIGKILL)
                _ = waitpid(child, nil, 0)
            }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, !exited {
            if let accepted = try listener.accept().value {
                try accepted.socket.close()  // the client's recv ends and it exits
                exited = waitpid(child, nil, 0) == child
                return accepted.peer
            }
            exited = waitpid(child, nil, WNOHANG) == child
            usleep(10_000)
        }
        throw SystemError(errno: ETIMEDOUT, operation: "waiting for the setpriv client to connect (it \(exited ? "exited" : "did not connect in 30 s"))")
    }

    /// Starts `arguments[0]` with `arguments` and this process's environment.
    static func spawn(_ arguments: [String]) throws -> pid_t {
        var argv = arguments.map { strdup($0) }
        defer { argv.forEach { free($0) } }
        argv.append(nil)
        var pid: pid_t = 0
        let code = posix_spawn(&pid, arguments[0], nil, nil, argv, environ)
        guard code == 0 else { throw SystemError(errno: code, operation: "posix_spawn", path: arguments[0]) }
        return pid
    }
}
