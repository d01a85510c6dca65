import Glibc
@testable import LoradSystem
import Testing

@Suite struct EpollTests {
    @Test func readinessOfASocketPair() throws {
        try expectNoDescriptorLeak {
            let epoll = try Epoll()
            defer { try? epoll.close() }
            let (a, b) = try UnixSocket.socketPair(nonBlocking: true)
            defer { try? b.close() }  // `a` is closed below, once
            try epoll.add(b.fileDescriptor, interest: [.readable, .readHangup], token: 7)
            var events: [Epoll.Event] = []
            try epoll.wait(timeout: .zero, into: &events)
            #expect(events.isEmpty)

            #expect(try a.send([1, 2, 3]) == .completed(3))
            try epoll.wait(timeout: .seconds(5), into: &events)
            #expect(events == [Epoll.Event(token: 7, ready: .readable)])
            // Level-triggered: still ready until read.
            try epoll.wait(timeout: .zero, into: &events)
            #expect(events.count == 1)
            #expect(try receiveOnce(b).bytes == [1, 2, 3])
            try epoll.wait(timeout: .zero, into: &events)
            #expect(events.isEmpty)

            // The peer going away: readable (end of stream) and hangups.
            try a.close()
            try epoll.wait(timeout: .seconds(5), into: &events)
            try #require(events.count == 1)
            #expect(events[0].ready.isSuperset(of: [.readable, .readHangup, .hangup]))
            #expect(try receiveOnce(b).message.isEndOfStream)
        }
    }

    @Test func writableModifyAndRemove() throws {
        try expectNoDescriptorLeak {
            let epoll = try Epoll()
            defer { try? epoll.close() }
            let (a, b) = try UnixSocket.socketPair(nonBlocking: true)
            defer { try? a.close(); try? b.close() }
            var events: [Epoll.Event] = []
            try epoll.add(a.fileDescriptor, interest: .readable, token: 1)
            let twice = #expect(throws: SystemError.self) { try epoll.add(a.fileDescriptor, interest: .readable, token: 1) }
            #expect(twice?.errno == EEXIST)
            try epoll.wait(timeout: .zero, into: &events)
            #expect(events.isEmpty)
            try epoll.modify(a.fileDescriptor, interest: [.readable, .writable], token: UInt64.max)
            try epoll.wait(timeout: .zero, into: &events)
            #expect(events == [Epoll.Event(token: UInt64.max, ready: .writable)])
            try epoll.remove(a.fileDescriptor)
            try epoll.wait(timeout: .zero, into: &events)
            #expect(events.isEmpty)
            let again = #expect(throws: SystemError.self) { try epoll.remove(a.fileDescriptor) }
            #expect(again?.errno == ENOENT)
            let unknown = #expect(throws: SystemError.self) { try epoll.modify(b.fileDescriptor, interest: .readable, token: 2) }
            #expect(unknown?.errno == ENOENT)
        }
    }

    @Test func edgeTriggeredReportsChangesOnly() throws {
        try expectNoDescriptorLeak {
            let epoll = try Epoll()
            defer { try? epoll.close() }
            let (a, b) = try UnixSocket.socketPair(nonBlocking: true)
            defer { try? a.close(); try? b.close() }
            try epoll.add(b.fileDescriptor, interest: [.readable, .edgeTriggered], token: 3)
            var events: [Epoll.Event] = []
            _ = try a.send([1])
            try epoll.wait(timeout: .seconds(5), into: &events)
            #expect(events.map(\.token) == [3])
            try epoll.wait(timeout: .zero, into: &events)
            #expect(events.isEmpty)
            _ = try a.send([2])
            try epoll.wait(timeout: .seconds(5), into: &events)
            #expect(events.map(\.token) == [3])
        }
    }

    @Test func oneShotDisarmsUntilModified() throws {
        try expectNoDescriptorLeak {
            let epoll = try Epoll()
            defer { try? epoll.close() }
            let (a, b) = try UnixSocket.socketPair(nonBlocking: true)
            defer { try? a.close(); try? b.close() }
            try epoll.add(b.fileDescriptor, interest: [.readable, .oneShot], token: 9)
            _ = try a.send([1])
            var events: [Epoll.Event] = []
            try epoll.wait(timeout: .seconds(5), into: &events)
            #expect(events.count == 1)
            try epoll.wait(timeout: .zero, into: &events)
            #expect(events.isEmpty)
            try epoll.modify(b.fileDescriptor, interest: [.readable, .oneShot], token: 10)
            try epoll.wait(timeout: .zero, into: &events)
            #expect(events.map(\.token) == [10])
        }
    }

    @Test func maxEventsBoundsOneWait() throws {
        let epoll = try Epoll()
        defer { try? epoll.close() }
        var pairs: [(UnixSocket, UnixSocket)] = []
        defer { for (a, b) in pairs { try? a.close(); try? b.close() } }
        for index in 0..<5 {
            let pair = try UnixSocket.socketPair(nonBlocking: true)
            pairs.append(pair)
            try epoll.add(pair.0.fileDescriptor, interest: .writable, token: UInt64(index))
        }
        var events: [Epoll.Event] = []
        try epoll.wait(timeout: .zero, into: &events, maxEvents: 2)
        #expect(events.count == 2)
        try epoll.wait(timeout: .zero, into: &events, maxEvents: 100)
        #expect(Set(events.map(\.token)) == Set(0..<5))
        let zero = #expect(throws: SystemError.self) { try epoll.wait(timeout: .zero, into: &events, maxEvents: 0) }
        #expect(zero?.errno == EINVAL)
        #expect(events.isEmpty)
    }

    @Test func timeoutElapsesWithNoEvents() throws {
        let epoll = try Epoll()
        defer { try? epoll.close() }
        var events: [Epoll.Event] = [Epoll.Event(token: 1, ready: .readable)]
        let clock = ContinuousClock()
        let start = clock.now
        try epoll.wait(timeout: .milliseconds(20), into: &events)
        #expect(clock.now - start >= .milliseconds(20))
        #expect(events.isEmpty)
    }

    @Test func regularFilesCannotBePolled() throws {
        let temp = try TempFolder()
        defer { temp.cleanup() }
        let epoll = try Epoll()
        defer { try? epoll.close() }
        let fd = try FileDescriptor.open(temp.file("f"), .readWrite, options: .create)
        defer { try? fd.close() }
        let error = #expect(throws: SystemError.self) { try epoll.add(fd, interest: .readable, token: 0) }
        #expect(error?.errno == EPERM)
        #expect(error?.description.contains("epoll_ctl(ADD)") == true)
    }

    @Test func epollIsCloseOnExecAndDoesNotLeak() throws {
        try expectNoDescriptorLeak(iterations: 200) {
            let epoll = try Epoll()
            #expect(isCloseOnExec(epoll.fileDescriptor))
            try epoll.close()
        }
    }

    @Test(arguments: [
        (Duration?.none, Int32(-1)),
        (.zero, 0),
        (.nanoseconds(-5), 0),
        (.nanoseconds(1), 1),
        (.microseconds(1500), 2),
        (.milliseconds(20), 20),
        (.seconds(3), 3000),
        (.seconds(Int64(Int32.max)), Int32.max),
        (.seconds(Int64.max / 2), Int32.max),
    ])
    func timeoutsRoundUpToMilliseconds(timeout: Duration?, expected: Int32) {
        #expect(Epoll.milliseconds(timeout) == expected)
    }

    @Test func interestDescription() {
        #expect(Epoll.Interest([.readable, .hangup]).description == "readable|hangup")
        #expect(Epoll.Interest([]).description == "none")
        #expect(Epoll.Interest(rawValue: 0x0100_0000 | 0x1).description == "readable|0x1000000")
    }
}
