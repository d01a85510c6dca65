import Glibc
import LoradSystem
import Testing

@Suite struct UnixSocketMessagesTests {
    @Test func bytesWithoutDescriptors() throws {
        try expectNoDescriptorLeak {
            let (a, b) = try UnixSocket.socketPair()
            defer { try? a.close(); try? b.close() }
            #expect(try a.send([1, 2, 3, 4, 5]) == .completed(5))
            let (bytes, message) = try receiveOnce(b, maxFDs: 4)
            #expect(bytes == [1, 2, 3, 4, 5])
            #expect(message.fds.isEmpty)
            #expect(!message.controlTruncated)
        }
    }

    @Test func oneDescriptorIsUsableAndCloseOnExec() throws {
        try expectNoDescriptorLeak {
            let (a, b) = try UnixSocket.socketPair()
            defer { try? a.close(); try? b.close() }
            let original = try memfd(containing: [])
            defer { try? original.close() }
            #expect(try a.send([0x42], fds: [original]) == .completed(1))
            let (bytes, message) = try receiveOnce(b, maxFDs: 1)
            #expect(bytes == [0x42])
            #expect(!message.controlTruncated)
            try #require(message.fds.count == 1)
            let received = message.fds[0]
            defer { try? received.close() }
            #expect(received != original)
            #expect(isCloseOnExec(received))
            // Writing through the received copy is visible through the original.
            try received.write(Array("through the socket".utf8))
            #expect(try allBytes(of: original) == Array("through the socket".utf8))
        }
    }

    @Test func manyDescriptorsArriveInOrder() throws {
        try expectNoDescriptorLeak(iterations: 20) {
            let (a, b) = try UnixSocket.socketPair()
            defer { try? a.close(); try? b.close() }
            let count = UnixSocket.maximumFDsPerMessage
            var inner: [(local: UnixSocket, sent: UnixSocket)] = []
            for _ in 0..<count { inner.append(try UnixSocket.socketPair()) }
            defer { for pair in inner { try? pair.local.close(); try? pair.sent.close() } }
            try a.sendAll([7, 7, 7], fds: inner.map(\.sent.fileDescriptor))
            let (bytes, message) = try receiveOnce(b, maxFDs: count)
            #expect(bytes == [7, 7, 7])
            #expect(!message.controlTruncated)
            try #require(message.fds.count == count)
            defer { for fd in message.fds { try? fd.close() } }
            for (index, fd) in message.fds.enumerated() {
                #expect(isCloseOnExec(fd))
                // Write through the received end, read from the matching local end.
                try fd.write([UInt8(index)])
                let (echo, _) = try receiveOnce(inner[index].local)
                #expect(echo == [UInt8(index)])
            }
        }
    }

    @Test(arguments: [(sent: 5, max: 2), (sent: 3, max: 1), (sent: 2, max: 0), (sent: 64, max: 63)])
    func tooManyDescriptorsTruncateWithoutLeaking(sent: Int, max: Int) throws {
        try expectNoDescriptorLeak(iterations: 60) {
            let (a, b) = try UnixSocket.socketPair()
            defer { try? a.close(); try? b.close() }
            let fd = try memfd(containing: [1])
            defer { try? fd.close() }
            #expect(try a.send([9, 9], fds: Array(repeating: fd, count: sent)) == .completed(2))
            let (bytes, message) = try receiveOnce(b, maxFDs: max)
            #expect(bytes == [9, 9])
            #expect(message.controlTruncated)
            #expect(message.fds.count == max)
            for received in message.fds {
                #expect(try allBytes(of: received) == [1])
                try received.close()
            }
        }
    }

    @Test func descriptorsComeWithTheFirstByteOfTheirSend() throws {
        try expectNoDescriptorLeak(iterations: 50) {
            let (a, b) = try UnixSocket.socketPair()
            defer { try? a.close(); try? b.close() }
            let first = try memfd(containing: [1])
            let second = try memfd(containing: [2])
            defer { try? first.close(); try? second.close() }
            try a.sendAll([0, 0, 0])
            try a.sendAll([1, 1, 1], fds: [first])
            try a.sendAll([2, 2, 2], fds: [second])
            var bytes: [UInt8] = []
            var seen: [[UInt8]] = []
            while bytes.count < 9 {
                let (chunk, message) = try receiveOnce(b, maxFDs: 4)
                // One call never returns the descriptors of two sends, and a
                // descriptor comes with the first byte of the send that carried it.
                #expect(message.fds.count <= 1)
                for fd in message.fds {
                    let tag = try allBytes(of: fd)
                    #expect(chunk.contains(tag[0]))
                    // The call ends within the send that carried the descriptor.
                    #expect(chunk.last == tag[0])
                    #expect(!bytes.contains(tag[0]))
                    seen.append(tag)
                    try fd.close()
                }
                bytes += chunk
            }
            #expect(bytes == [0, 0, 0, 1, 1, 1, 2, 2, 2])
            #expect(seen == [[1], [2]])
        }
    }

    @Test func emptyNonBlockingSocketWouldBlock() throws {
        try expectNoDescriptorLeak {
            let (a, b) = try UnixSocket.socketPair(nonBlocking: true)
            defer { try? a.close(); try? b.close() }
            var buffer = [UInt8](repeating: 0, count: 16)
            let outcome = try buffer.withUnsafeMutableBytes { try b.receive(into: $0, maxFDs: 2) }
            #expect(outcome == .wouldBlock)
            #expect(outcome.value == nil)
        }
    }

    @Test func fullNonBlockingSocketSendsPartiallyThenWouldBlock() throws {
        try expectNoDescriptorLeak(iterations: 10) {
            let (a, b) = try UnixSocket.socketPair(nonBlocking: true)
            defer { try? a.close(); try? b.close() }
            let fd = try memfd(containing: [5])
            defer { try? fd.close() }
            let chunk = [UInt8](repeating: 0xAB, count: 64 * 1024)
            var total = 0
            var fdsPending = [fd]
            var sawPartial = false
            sendLoop: while true {
                switch try a.send(chunk, fds: fdsPending) {
                case .completed(let count):
                    #expect(count > 0 && count <= chunk.count)
                    if count < chunk.count { sawPartial = true }
                    total += count
                    fdsPending = []
                case .wouldBlock:
                    break sendLoop
                }
            }
            #expect(total > 0)
            #expect(fdsPending.isEmpty)
            _ = sawPartial  // a partial send is possible, not guaranteed
            // The reader gets every accepted byte and the descriptor exactly once.
            try b.setNonBlocking(false)
            let (bytes, fds) = try receiveExactly(b, count: total, maxFDs: 1)
            #expect(bytes.count == total)
            #expect(bytes.allSatisfy { $0 == 0xAB })
            #expect(fds.count == 1)
            for received in fds { try received.close() }
        }
    }

    @Test func closedPeerGivesEndOfStreamThenEPIPE() throws {
        try expectNoDescriptorLeak {
            let (a, b) = try UnixSocket.socketPair()
            defer { try? b.close() }
            try a.sendAll([1, 2])
            try a.close()
            let (bytes, first) = try receiveOnce(b)
            #expect(bytes == [1, 2])
            #expect(!first.isEndOfStream)
            let (_, second) = try receiveOnce(b)
            #expect(second.isEndOfStream)
            #expect(second.byteCount == 0)
            // MSG_NOSIGNAL: an error, not SIGPIPE killing the test process.
            let error = #expect(throws: SystemError.self) { _ = try b.send([3]) }
            #expect(error?.errno == EPIPE)
        }
    }

    @Test func shutdownWriteEndsTheStreamOneWay() throws {
        try expectNoDescriptorLeak {
            let (a, b) = try UnixSocket.socketPair()
            defer { try? a.close(); try? b.close() }
            try a.shutdown(.write)
            #expect(try receiveOnce(b).message.isEndOfStream)
            try b.sendAll([4])
            #expect(try receiveOnce(a).bytes == [4])
        }
    }

    @Test func badArgumentsAreRefusedWithClearErrors() throws {
        try expectNoDescriptorLeak {
            let (a, b) = try UnixSocket.socketPair()
            defer { try? a.close(); try? b.close() }
            let fd = try memfd(containing: [])
            defer { try? fd.close() }
            let noBytes = #expect(throws: SystemError.self) { _ = try a.send([], fds: [fd]) }
            #expect(noBytes?.errno == EINVAL)
            #expect(noBytes?.description.contains("at least one byte") == true)
            let tooMany = Array(repeating: fd, count: UnixSocket.maximumFDsPerMessage + 1)
            let many = #expect(throws: SystemError.self) { _ = try a.send([1], fds: tooMany) }
            #expect(many?.errno == EINVAL)
            #expect(many?.description.contains("at most \(UnixSocket.maximumFDsPerMessage)") == true)
            var empty: [UInt8] = []
            let emptyBuffer = #expect(throws: SystemError.self) {
                _ = try empty.withUnsafeMutableBytes { try b.receive(into: $0) }
            }
            #expect(emptyBuffer?.errno == EINVAL)
            var buffer = [UInt8](repeating: 0, count: 8)
            for maxFDs in [-1, UnixSocket.maximumFDsPerMessage + 1] {
                let badMax = #expect(throws: SystemError.self) {
                    _ = try buffer.withUnsafeMutableBytes { try b.receive(into: $0, maxFDs: maxFDs) }
                }
                #expect(badMax?.errno == EINVAL)
            }
            // An invalid descriptor in the list fails the whole send; nothing is sent.
            let invalid = FileDescriptor(rawValue: -1)
            let bad = #expect(throws: SystemError.self) { _ = try a.send([1], fds: [fd, invalid]) }
            #expect(bad?.errno == EBADF)
            try b.setNonBlocking()
            let nothing = try buffer.withUnsafeMutableBytes { try b.receive(into: $0) }
            #expect(nothing == .wouldBlock)
        }
    }

    @Test func sendAllOnANonBlockingSocketThatFillsUpThrows() throws {
        try expectNoDescriptorLeak(iterations: 10) {
            let (a, b) = try UnixSocket.socketPair(nonBlocking: true)
            defer { try? a.close(); try? b.close() }
            let huge = [UInt8](repeating: 1, count: 8 << 20)
            let error = #expect(throws: SystemError.self) { try a.sendAll(huge) }
            #expect(error?.errno == EAGAIN)
        }
    }
}
