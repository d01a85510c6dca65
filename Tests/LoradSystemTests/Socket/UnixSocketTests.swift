import Glibc
import LoradSystem
import Testing

@Suite struct UnixSocketTests {
    /// Connects to `path`, expects `listener` to accept this process, and
    /// closes both ends.
    func expectServes(_ listener: UnixSocket, at path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let client = try UnixSocket.connect(path: path)
        defer { try? client.close() }
        let connection = try #require(try listener.accept().value, sourceLocation: sourceLocation)
        #expect(connection.peer == .ofThisProcess, sourceLocation: sourceLocation)
        try connection.socket.close()
    }

    @Test func listenConnectAcceptWithPeerCredentials() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let path = temp.file("lorad.sock")
        try expectNoDescriptorLeak(iterations: 50) {
            let listener = try UnixSocket.listen(path: path)
            defer { try? listener.close(); try? UnixSocket.removeSocketFile(atPath: path) }
            #expect(try FileStatus(path: path).permissions == 0o660)
            #expect(isCloseOnExec(listener.fileDescriptor))
            #expect(isNonBlocking(listener.fileDescriptor))
            #expect(try listener.accept() == .wouldBlock)

            let client = try UnixSocket.connect(path: path)
            defer { try? client.close() }
            #expect(isCloseOnExec(client.fileDescriptor))
            #expect(!isNonBlocking(client.fileDescriptor))
            let connection = try #require(try listener.accept().value)
            defer { try? connection.socket.close() }
            #expect(connection.peer == PeerCredentials.ofThisProcess)
            #expect(connection.peer.pid == getpid())
            #expect(try client.peerCredentials() == PeerCredentials.ofThisProcess)
            #expect(isCloseOnExec(connection.socket.fileDescriptor))
            #expect(isNonBlocking(connection.socket.fileDescriptor))
            #expect(try listener.accept() == .wouldBlock)

            try client.sendAll(Array("hello".utf8))
            try connection.socket.setNonBlocking(false)
            #expect(try receiveOnce(connection.socket).bytes == Array("hello".utf8))
            try connection.socket.sendAll(Array("olleh".utf8))
            #expect(try receiveOnce(client).bytes == Array("olleh".utf8))
        }
        #expect(!FileStatus.exists(path))
    }

    @Test func modeIsApplied() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let path = temp.file("s")
        let listener = try UnixSocket.listen(path: path, mode: 0o600, backlog: 4)
        defer { try? listener.close() }
        #expect(try FileStatus(path: path).permissions == 0o600)
    }

    /// The socket file is given to the group before `listen` (as root: any gid), with the
    /// mode; a group the file already has needs no `chown`.
    @Test(.enabled(if: getuid() == 0, "giving a file to any group needs root"))
    func groupIsAppliedBeforeListening() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let path = temp.file("s")
        try expectNoDescriptorLeak(iterations: 20) {
            let listener = try UnixSocket.listen(path: path, mode: 0o660, group: 4242)
            defer { try? listener.close(); try? UnixSocket.removeSocketFile(atPath: path) }
            let status = try FileStatus(path: path, followSymlinks: false)
            #expect(status.group == 4242 && status.owner == geteuid())
            #expect(status.permissions == 0o660)
            try expectServes(listener, at: path)
        }
        let own = try UnixSocket.listen(path: path, mode: 0o640, group: getegid())
        defer { try? own.close() }
        #expect(try FileStatus(path: path).group == getegid())
        #expect(try FileStatus(path: path).permissions == 0o640)
    }

    /// A process that is not root cannot give its socket to a group it is not in: the
    /// error says so and no socket file is left behind.
    @Test(.enabled(if: getuid() != 0, "root may choose any group"))
    func aGroupTheProcessIsNotInIsRefused() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let path = temp.file("s")
        let error = #expect(throws: SystemError.self) { _ = try UnixSocket.listen(path: path, group: 3_999_999_990) }
        #expect(error?.errno == EPERM)
        #expect(error?.description.contains("only give the socket to a group it is in") == true)
        #expect(!FileStatus.exists(path))
    }

    @Test func staleSocketFileIsReplaced() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let path = temp.file("stale.sock")
        try expectNoDescriptorLeak(iterations: 50) {
            // A daemon that died: its socket file stays, nobody listens.
            let crashed = try UnixSocket.listen(path: path)
            try crashed.close()
            #expect(FileStatus.exists(path))
            let refused = #expect(throws: SystemError.self) { _ = try UnixSocket.connect(path: path) }
            #expect(refused?.errno == ECONNREFUSED)

            let listener = try UnixSocket.listen(path: path)
            defer { try? listener.close() }
            try expectServes(listener, at: path)
        }
    }

    @Test func liveSocketIsNotStolen() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let path = temp.file("live.sock")
        let listener = try UnixSocket.listen(path: path)
        defer { try? listener.close() }
        expectNoDescriptorLeak {
            let error = #expect(throws: SystemError.self) { _ = try UnixSocket.listen(path: path) }
            #expect(error?.errno == EADDRINUSE)
            #expect(error?.description.contains("another process is listening") == true)
        }
        // The first daemon still serves.
        try expectServes(listener, at: path)
    }

    @Test func regularFileAtThePathIsRefusedAndKept() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let path = temp.file("not-a-socket")
        try DurableFile.writeAtomically(to: path, bytes: [1, 2, 3])
        expectNoDescriptorLeak {
            let error = #expect(throws: SystemError.self) { _ = try UnixSocket.listen(path: path) }
            #expect(error?.errno == EEXIST)
            #expect(error?.description.contains("not a socket") == true)
            #expect(error?.path == path)
            let removal = #expect(throws: SystemError.self) { try UnixSocket.removeSocketFile(atPath: path) }
            #expect(removal?.errno == EEXIST)
        }
        #expect(try contents(of: path) == [1, 2, 3])
    }

    @Test func folderAtThePathIsRefused() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let error = #expect(throws: SystemError.self) { _ = try UnixSocket.listen(path: temp.path) }
        #expect(error?.errno == EEXIST)
        #expect(FileStatus.isDirectory(temp.path))
    }

    @Test func pathLengthIsBoundedBySunPath() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        #expect(UnixSocket.maximumPathLength == 107)
        let prefix = temp.path + "/"
        let longest = prefix + String(repeating: "a", count: UnixSocket.maximumPathLength - prefix.utf8.count)
        let tooLong = longest + "b"
        try expectNoDescriptorLeak {
            let listener = try UnixSocket.listen(path: longest)
            try listener.close()
            try UnixSocket.removeSocketFile(atPath: longest)
            for attempt in [{ _ = try UnixSocket.listen(path: tooLong) }, { _ = try UnixSocket.connect(path: tooLong) }] {
                let error = #expect(throws: SystemError.self) { try attempt() }
                #expect(error?.errno == ENAMETOOLONG)
                #expect(error?.description.contains("108 bytes, at most 107") == true)
            }
        }
    }

    @Test func emptyAndNulPathsAreRefused() throws {
        for path in ["", "/tmp/a\0b"] {
            let listen = #expect(throws: SystemError.self) { _ = try UnixSocket.listen(path: path) }
            #expect(listen?.errno == EINVAL)
            let connect = #expect(throws: SystemError.self) { _ = try UnixSocket.connect(path: path) }
            #expect(connect?.errno == EINVAL)
        }
    }

    @Test func connectToNothingFails() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        expectNoDescriptorLeak {
            let error = #expect(throws: SystemError.self) { _ = try UnixSocket.connect(path: temp.file("none")) }
            #expect(error?.isNotFound == true)
            #expect(error?.path == temp.file("none"))
        }
    }

    @Test func missingFolderFailsWithoutLeaving() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        expectNoDescriptorLeak {
            let error = #expect(throws: SystemError.self) { _ = try UnixSocket.listen(path: temp.file("no/such/dir.sock")) }
            #expect(error?.isNotFound == true)
        }
    }

    @Test func adoptListeningChecksTheDescriptor() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let path = temp.file("activated.sock")
        let original = try UnixSocket.listen(path: path)
        defer { try? original.close() }
        try expectNoDescriptorLeak(iterations: 50) {
            // What systemd would pass: a listening socket, maybe blocking, no CLOEXEC.
            let inherited = try original.fileDescriptor.duplicate()
            _ = fcntl(inherited.rawValue, F_SETFD, 0)
            let adopted = try UnixSocket.adoptListening(fd: inherited)
            defer { try? adopted.close() }
            #expect(isCloseOnExec(adopted.fileDescriptor))
            #expect(isNonBlocking(adopted.fileDescriptor))
            try expectServes(adopted, at: path)

            let (a, b) = try UnixSocket.socketPair()
            defer { try? a.close(); try? b.close() }
            let connected = #expect(throws: SystemError.self) { _ = try UnixSocket.adoptListening(fd: a.fileDescriptor) }
            #expect(connected?.errno == EINVAL)
            #expect(connected?.description.contains("ListenStream") == true)
            let file = try FileDescriptor.open(temp.path, .readOnly, options: .directory)
            defer { try? file.close() }
            let notSocket = #expect(throws: SystemError.self) { _ = try UnixSocket.adoptListening(fd: file) }
            #expect(notSocket?.errno == ENOTSOCK)
        }
    }

    @Test func removeSocketFileIgnoresMissingFiles() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let path = temp.file("r.sock")
        try UnixSocket.removeSocketFile(atPath: path)
        let listener = try UnixSocket.listen(path: path)
        try listener.close()
        try UnixSocket.removeSocketFile(atPath: path)
        #expect(!FileStatus.exists(path))
    }

    @Test func setNonBlockingToggles() throws {
        try expectNoDescriptorLeak {
            let (a, b) = try UnixSocket.socketPair()
            defer { try? a.close(); try? b.close() }
            #expect(!isNonBlocking(a.fileDescriptor))
            try a.setNonBlocking()
            #expect(isNonBlocking(a.fileDescriptor))
            try a.setNonBlocking()
            #expect(isNonBlocking(a.fileDescriptor))
            try a.setNonBlocking(false)
            #expect(!isNonBlocking(a.fileDescriptor))
            #expect(isCloseOnExec(a.fileDescriptor) && isCloseOnExec(b.fileDescriptor))
        }
    }

    @Test func shutdownOfANonSocketFails() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let fd = try FileDescriptor.open(temp.path, .readOnly, options: .directory)
        defer { try? fd.close() }
        let error = #expect(throws: SystemError.self) { try UnixSocket(fileDescriptor: fd).shutdown() }
        #expect(error?.errno == ENOTSOCK)
    }
}
