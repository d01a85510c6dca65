import Foundation
import LoradSystem
import LoradTestSupport
import Testing

@testable import LoradSystemd

@Suite struct SystemdNotifierTests {
    @Test func disabledWithoutSocketDoesNothing() throws {
        let notifier = SystemdNotifier(socketAddress: nil)
        #expect(!notifier.isEnabled)
        #expect(notifier.notify(.ready) == false)
        #expect(try notifier.send([.ready]) == false)
        #expect(SystemdNotifier(socketAddress: "").isEnabled == false)
    }

    @Test func sendsEachMessageToAPathSocket() throws {
        let fake = try FakeNotifySocket()
        defer { fake.close() }
        let notifier = SystemdNotifier(socketAddress: fake.address)
        #expect(notifier.notify(.ready))
        #expect(try fake.next() == "READY=1\n")
        #expect(notifier.notify(.status("2 bases ready\nline two")))
        #expect(try fake.next() == "STATUS=2 bases ready line two\n")
        #expect(notifier.notify(.stopping))
        #expect(try fake.next() == "STOPPING=1\n")
        #expect(notifier.notify(.watchdog))
        #expect(try fake.next() == "WATCHDOG=1\n")
        #expect(notifier.notify(.extendTimeout(.milliseconds(15_500))))
        #expect(try fake.next() == "EXTEND_TIMEOUT_USEC=15500000\n")
    }

    @Test func reloadingCarriesTheMonotonicClock() throws {
        let fake = try FakeNotifySocket(abstract: true)
        defer { fake.close() }
        let before = MonotonicClock.microseconds()
        #expect(SystemdNotifier(socketAddress: fake.address).notify(.reloading(monotonicMicroseconds: MonotonicClock.microseconds())))
        let text = try #require(try fake.next())
        let lines = text.split(separator: "\n")
        #expect(lines.first == "RELOADING=1")
        let value = try #require(lines.last.flatMap { $0.hasPrefix("MONOTONIC_USEC=") ? UInt64($0.dropFirst(15)) : nil })
        #expect(value >= before && value <= MonotonicClock.microseconds())
    }

    @Test func severalNotificationsTravelInOneDatagram() throws {
        let fake = try FakeNotifySocket()
        defer { fake.close() }
        #expect(SystemdNotifier(socketAddress: fake.address).notify(.ready, .status("ok")))
        #expect(try fake.next() == "READY=1\nSTATUS=ok\n")
        #expect(try fake.next(timeout: 50) == nil)
    }

    @Test func descriptorsTravelWithTheDatagram() throws {
        let fake = try FakeNotifySocket(abstract: true)
        defer { fake.close() }
        let memfd = try Memfd.create(name: "notify-test")
        defer { try? memfd.close() }
        try memfd.write([1, 2, 3])
        #expect(try SystemdNotifier(socketAddress: fake.address).send([.fdStore(name: "lorad.base.t")], fds: [memfd]))
        let message = try #require(try fake.nextWithDescriptors())
        #expect(message.text == "FDSTORE=1\nFDNAME=lorad.base.t\n")
        #expect(message.fds.count == 1)
        for fd in message.fds {
            #expect(try fd.size() == 3)
            try fd.close()
        }
    }

    @Test func missingListenerIsAFailureNotACrash() throws {
        let notifier = SystemdNotifier(socketAddress: NSTemporaryDirectory() + "lorad-no-such-notify.sock")
        #expect(notifier.notify(.ready) == false)
        #expect(throws: SystemError.self) { try notifier.send([.ready]) }
    }

    @Test func durationsClampToMicroseconds() {
        #expect(SystemdNotification.microseconds(of: .seconds(-3)) == 0)
        #expect(SystemdNotification.microseconds(of: .nanoseconds(1999)) == 1)
        #expect(SystemdNotification.microseconds(of: .seconds(Int64.max)) == .max)
    }

    @Test func notificationLinesSanitiseNames() {
        #expect(SystemdNotification.fdStore(name: "lorad.base.tiny").line == "FDSTORE=1\nFDNAME=lorad.base.tiny")
        #expect(SystemdNotification.fdStoreRemove(name: "a:b c\n").line == "FDSTOREREMOVE=1\nFDNAME=a_b_c_")
        #expect(SystemdNotification.fdName(String(repeating: "x", count: 300)).utf8.count == 255)
    }
}
