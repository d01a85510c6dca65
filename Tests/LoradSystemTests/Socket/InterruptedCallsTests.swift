import Foundation
import Glibc
import LoradSystem
import Synchronization
import Testing

/// Signals arriving while a call blocks (`EINTR`) are retried, or for
/// `epoll_wait` turned into an empty wait, never thrown.
@Suite(.serialized) struct InterruptedCallsTests {
    /// Installs a do-nothing SIGUSR1 handler without `SA_RESTART`, so that a
    /// signal makes a blocked call fail with `EINTR`.
    static func installInterruptingHandler() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGUSR1, &action, nil)
    }

    /// Runs `body` on a new thread and keeps signalling that thread with
    /// SIGUSR1 until `release` has run and `body` has returned.
    static func interrupting<Value: Sendable>(
        _ body: @escaping @Sendable () throws -> Value, release: () throws -> Void
    ) throws -> Value {
        installInterruptingHandler()
        let thread = Mutex<pthread_t?>(nil)
        let result = Mutex<Result<Value, any Error>?>(nil)
        Thread.detachNewThread {
            // New threads may start with signals blocked; this one must take them.
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, SIGUSR1)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            thread.withLock { $0 = pthread_self() }
            let outcome = Result { try body() }
            result.withLock { $0 = outcome }
        }
        var rounds = 0
        while true {
            if let outcome = result.withLock({ $0 }) { return try outcome.get() }
            if let target = thread.withLock({ $0 }) { pthread_kill(target, SIGUSR1) }
            usleep(2_000)
            rounds += 1
            if rounds == 25 { try release() }
            try #require(rounds < 2_500, "the blocked call never returned")
        }
    }

    @Test func blockedReceiveSurvivesSignals() throws {
        let (a, b) = try UnixSocket.socketPair()
        defer { try? a.close(); try? b.close() }
        let bytes = try Self.interrupting({ try receiveOnce(b).bytes }, release: { try a.sendAll([5, 6]) })
        #expect(bytes == [5, 6])
    }

    @Test func blockedSendSurvivesSignals() throws {
        let (a, b) = try UnixSocket.socketPair()
        defer { try? a.close(); try? b.close() }
        let size = 4 << 20
        let reader = Mutex<Int>(0)
        let sent: Void = try Self.interrupting({ try a.sendAll([UInt8](repeating: 1, count: size)) }, release: {
            Thread.detachNewThread {
                let count = (try? receiveExactly(b, count: size).bytes.count) ?? -1
                reader.withLock { $0 = count }
            }
        })
        _ = sent
        while reader.withLock({ $0 }) == 0 { usleep(1_000) }
        #expect(reader.withLock { $0 } == size)
    }

    @Test func interruptedEpollWaitReturnsNoEvents() throws {
        let epoll = try Epoll()
        defer { try? epoll.close() }
        let events = try Self.interrupting({ () throws -> [Epoll.Event] in
            var events: [Epoll.Event] = []
            try epoll.wait(timeout: .seconds(60), into: &events)
            return events
        }, release: {})
        #expect(events.isEmpty)
    }
}
