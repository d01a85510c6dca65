import Foundation
import Glibc
import LoradSystem
import Testing

@Suite struct EventFDTests {
    @Test func signalsAccumulateUntilDrained() throws {
        try expectNoDescriptorLeak {
            let event = try EventFD()
            defer { try? event.close() }
            #expect(isCloseOnExec(event.fileDescriptor))
            #expect(isNonBlocking(event.fileDescriptor))
            #expect(try event.drain() == 0)
            try event.signal()
            try event.signal()
            try event.signal()
            #expect(try event.drain() == 3)
            #expect(try event.drain() == 0)
        }
    }

    @Test func wakesAnEpollWaitFromAnotherThread() throws {
        try expectNoDescriptorLeak(iterations: 20) {
            let epoll = try Epoll()
            defer { try? epoll.close() }
            let event = try EventFD()
            defer { try? event.close() }
            try epoll.add(event.fileDescriptor, interest: .readable, token: 42)
            let done = DispatchSemaphore(value: 0)
            // A real thread, not a task: the waiter below blocks its thread.
            Thread.detachNewThread {
                usleep(5_000)
                try? event.signal()
                done.signal()
            }
            var events: [Epoll.Event] = []
            try epoll.wait(timeout: .seconds(10), into: &events)
            #expect(events == [Epoll.Event(token: 42, ready: .readable)])
            done.wait()
            #expect(try event.drain() == 1)
            try epoll.wait(timeout: .zero, into: &events)
            #expect(events.isEmpty)
        }
    }

    @Test func manyThreadsSignallingAreAllCounted() throws {
        let epoll = try Epoll()
        defer { try? epoll.close() }
        let event = try EventFD()
        defer { try? event.close() }
        try epoll.add(event.fileDescriptor, interest: .readable, token: 1)
        let threads = 4
        let signalsEach = 500
        for _ in 0..<threads {
            Thread.detachNewThread {
                for _ in 0..<signalsEach { try? event.signal() }
            }
        }
        var total: UInt64 = 0
        var events: [Epoll.Event] = []
        while total < UInt64(threads * signalsEach) {
            try epoll.wait(timeout: .seconds(10), into: &events)
            try #require(!events.isEmpty, "no wakeup within 10 s, \(total) signals seen")
            total += try event.drain()
        }
        #expect(total == UInt64(threads * signalsEach))
    }

    @Test func invalidDescriptorFails() throws {
        // Not a closed descriptor: tests run in parallel and reuse numbers.
        let event = EventFD(fileDescriptor: FileDescriptor(rawValue: -1))
        let signal = #expect(throws: SystemError.self) { try event.signal() }
        #expect(signal?.errno == EBADF)
        let drain = #expect(throws: SystemError.self) { try event.drain() }
        #expect(drain?.errno == EBADF)
    }
}
