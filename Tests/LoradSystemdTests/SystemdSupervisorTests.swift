import Foundation
import LoradTestSupport
import Synchronization
import Testing

@testable import LoradSystemd

@Suite struct SystemdSupervisorTests {
    @Test func readyOnlyAfterEveryJobSettled() throws {
        let fake = try FakeNotifySocket()
        defer { fake.close() }
        let supervisor = SystemdSupervisor(
            notifier: SystemdNotifier(socketAddress: fake.address), statusInterval: .seconds(3600),
            extendBy: .seconds(20)
        ) { "1 of 2 bases ready" }
        supervisor.expectJobs(2)
        #expect(try fake.next() == "EXTEND_TIMEOUT_USEC=20000000\nSTATUS=1 of 2 bases ready\n")
        supervisor.jobSettled()
        #expect(try fake.next(timeout: 100) == nil)
        #expect(!supervisor.isReady)
        supervisor.jobSettled()
        #expect(try fake.next() == "READY=1\nSTATUS=1 of 2 bases ready\n")
        #expect(supervisor.isReady)
        supervisor.stopping()
        #expect(try fake.next() == "STOPPING=1\nSTATUS=stopping: draining connections\n")
        supervisor.stopping()
        #expect(try fake.next(timeout: 100) == nil)
    }

    @Test func noJobsMeansReadyAtOnce() throws {
        let fake = try FakeNotifySocket()
        defer { fake.close() }
        let supervisor = SystemdSupervisor(notifier: SystemdNotifier(socketAddress: fake.address), statusInterval: .seconds(3600)) { "idle" }
        supervisor.expectJobs(0)
        #expect(try fake.next() == "READY=1\nSTATUS=idle\n")
    }

    @Test func timerExtendsWhileLoadingThenReportsStatus() throws {
        let fake = try FakeNotifySocket()
        defer { fake.close() }
        let figures = Mutex(0)
        let supervisor = SystemdSupervisor(
            notifier: SystemdNotifier(socketAddress: fake.address), statusInterval: .milliseconds(50),
            extendBy: .seconds(7)
        ) { "tick \(figures.withLock { $0 += 1; return $0 })" }
        supervisor.expectJobs(1)
        _ = try fake.next()
        let loading = try #require(try fake.next())
        #expect(loading.hasPrefix("EXTEND_TIMEOUT_USEC=7000000\nSTATUS=tick "))
        supervisor.jobSettled()
        var sawReady = false
        var sawPlainStatus = false
        for _ in 0..<20 where !sawPlainStatus {
            let text = try #require(try fake.next())
            if text.hasPrefix("READY=1\n") { sawReady = true } else if sawReady, text.hasPrefix("STATUS=tick ") { sawPlainStatus = true }
        }
        #expect(sawReady && sawPlainStatus)
        supervisor.stopping()
    }

    @Test func reloadAnnouncesReadyAgain() throws {
        let fake = try FakeNotifySocket()
        defer { fake.close() }
        let supervisor = SystemdSupervisor(notifier: SystemdNotifier(socketAddress: fake.address), statusInterval: .seconds(3600)) { "s" }
        supervisor.expectJobs(0)
        _ = try fake.next()
        supervisor.reloading(monotonicMicroseconds: 42)
        #expect(try fake.next() == "RELOADING=1\nMONOTONIC_USEC=42\n")
        #expect(!supervisor.isReady)
        supervisor.reloaded()
        #expect(try fake.next() == "READY=1\nSTATUS=s\n")
        supervisor.stopping()
        _ = try fake.next()
        supervisor.reloading(monotonicMicroseconds: 43)
        supervisor.reloaded()
        #expect(try fake.next(timeout: 100) == nil, "no reload announcements while stopping")
    }

    @Test func disabledSupervisorStillTracksReadiness() {
        let supervisor = SystemdSupervisor(notifier: SystemdNotifier(socketAddress: nil)) { "x" }
        supervisor.expectJobs(1)
        #expect(!supervisor.isReady)
        supervisor.jobSettled()
        #expect(supervisor.isReady)
    }
}

@Suite struct SocketActivationTests {
    @Test func choosesTheNamedOrTheOnlyListeningSocket() throws {
        #expect(try SocketActivation.choose(named: "lorad", among: [], listening: []) == nil)
        #expect(try SocketActivation.choose(named: "lorad", among: ["unknown"], listening: [true]) == 0)
        #expect(try SocketActivation.choose(named: "lorad", among: [], listening: [true]) == 0)
        #expect(try SocketActivation.choose(named: "lorad", among: ["admin", "lorad"], listening: [true, true]) == 1)
        // Stored descriptors (memfds) are never the socket, whatever they are called.
        #expect(try SocketActivation.choose(named: "lorad", among: ["lorad.base.a", "lorad"], listening: [false, true]) == 1)
        #expect(try SocketActivation.choose(named: "lorad", among: ["lorad", "x"], listening: [false, true]) == 1)
        #expect(try SocketActivation.choose(named: "lorad", among: ["lorad.base.a", "lorad.record.a"], listening: [false, false]) == nil)
        #expect(throws: SocketActivationError.noneNamed("lorad", passed: ["a", "b"])) {
            try SocketActivation.choose(named: "lorad", among: ["a", "m", "b"], listening: [true, false, true])
        }
    }

    @Test func notActivatedWithoutEnvironment() throws {
        // The test process is not socket-activated ($LISTEN_PID is not ours).
        #expect(try SocketActivation.listener() == nil)
    }

    @Test func errorsSayWhatToDo() {
        #expect(SocketActivationError.noneNamed("lorad", passed: ["a", "b"]).description.contains("FileDescriptorName=lorad"))
    }
}
