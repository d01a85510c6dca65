import Glibc
import LoradSystem
import Testing

@Suite struct UnixDatagramSocketTests {
    @Test func datagramsTravelToAPathAndKeepTheirBoundaries() throws {
        let folder = try DurableFile.makeTemporaryDirectory(prefix: "lorad-dgram-")
        defer { try? DurableFile.removeTree(folder) }
        let address = folder + "/notify.sock"
        let receiver = try UnixDatagramSocket.bind(address: address)
        defer { try? receiver.close() }
        let sender = try UnixDatagramSocket.make()
        defer { try? sender.close() }
        #expect(try sender.send(Array("READY=1\n".utf8), to: address) == 8)
        #expect(try sender.send([1, 2, 3], to: address) == 3)
        #expect(try receiver.receive(timeoutMilliseconds: 2000) == Array("READY=1\n".utf8))
        #expect(try receiver.receive(maxBytes: 2, timeoutMilliseconds: 2000) == [1, 2], "a short buffer truncates one datagram")
        #expect(try receiver.receive(timeoutMilliseconds: 20) == nil)
    }

    @Test func abstractAddressesNeedNoFile() throws {
        let address = "@lorad-dgram-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let receiver = try UnixDatagramSocket.bind(address: address)
        defer { try? receiver.close() }
        let sender = try UnixDatagramSocket.make()
        defer { try? sender.close() }
        try sender.send([42], to: address)
        #expect(try receiver.receive(timeoutMilliseconds: 2000) == [42])
    }

    @Test func unusableAddressesAreRejectedWithErrno() throws {
        let sender = try UnixDatagramSocket.make()
        defer { try? sender.close() }
        for (address, code) in [("", EINVAL), ("@", EINVAL), ("/tmp/a\u{0}b", EINVAL), ("/" + String(repeating: "x", count: 200), ENAMETOOLONG)] {
            #expect(throws: SystemError.self) { try sender.send([1], to: address) }
            do {
                try sender.send([1], to: address)
            } catch {
                #expect(error.errno == code, "\(address.debugDescription): \(error)")
            }
        }
        #expect(throws: SystemError(errno: ENOENT, operation: "sendto", path: "/nonexistent/lorad.sock")) {
            try sender.send([1], to: "/nonexistent/lorad.sock")
        }
    }
}
