import LoradSystem
import Testing

@Suite struct UnixSocketReadinessTests {
    @Test func waitsForBytesAndForTheEndOfTheStream() throws {
        let (a, b) = try UnixSocket.socketPair()
        defer { try? a.close() }
        #expect(try !b.waitUntilReadable(timeoutMilliseconds: 0), "nothing sent yet")
        try a.sendAll([1, 2, 3])
        #expect(try b.waitUntilReadable(timeoutMilliseconds: 2000))
        var buffer = [UInt8](repeating: 0, count: 8)
        let outcome = try buffer.withUnsafeMutableBytes { raw in try b.receive(into: raw) }
        guard case .completed(let message) = outcome else {
            Issue.record("readable, yet the receive would block")
            return
        }
        #expect(message.byteCount == 3)
        #expect(try !b.waitUntilReadable(timeoutMilliseconds: 0), "everything was read")
        try a.close()
        #expect(try b.waitUntilReadable(timeoutMilliseconds: 2000), "end of stream is readable")
        try b.close()
    }
}
