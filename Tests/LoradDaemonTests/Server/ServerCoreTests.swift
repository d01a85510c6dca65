import LoradDaemon
import LoradServer
import LoradServerTestSupport
import LoradSystem
import LoradWire
import Synchronization
import Testing

/// The server in front of the real ``DaemonCore``: the seam, end to end over a socket.
@Suite(.serialized) struct ServerCoreTests {
    @Test func sessionSegmentsTravelFromTheCoreToTheClient() async throws {
        let scratch = try ScratchFolder()
        let core = try DaemonCore(
            storeRoot: scratch.path + "/store", options: CoreOptions(memoryBudget: 64 << 20, threads: 2, sessionsPerUID: 8))
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            core.loadBases([("tiny", CoreFixtures.basePath)]) { _, _ in continuation.resume() }
        }
        #expect(core.baseState("tiny") == .ready)
        let harness = try ServerHarness(handler: core)
        defer { harness.cleanup() }

        let client = try harness.readyClient()
        #expect(try client.call(.ping(PingRequest(token: 5))).message == .ping(PingReply(token: 5)))
        let bases = try client.call(.listBases(ListBasesRequest()))
        guard case .listBases(let list) = bases.message else {
            Issue.record("expected LIST_BASES_REPLY, got \(bases.message)")
            return
        }
        #expect(list.bases.map(\.name) == ["tiny"])

        let opened = try client.call(.openSession(OpenSessionRequest(base: "tiny", mode: .factors)))
        guard case .openSession(let session) = opened.message else {
            Issue.record("expected OPEN_SESSION_REPLY, got \(opened.message)")
            return
        }
        #expect(opened.fds.count == 1)
        let segment = try #require(session.segments.first)
        let fd = FileDescriptor(rawValue: segment.fd)
        defer { try? fd.close() }
        #expect(try fd.size() == Int(segment.byteSize))
        #expect(try Memfd.seals(of: fd) == .immutable)
        // A safetensors file: an 8-byte little-endian header length, then a JSON header.
        var prefix = [UInt8](repeating: 0, count: 9)
        try prefix.withUnsafeMutableBytes { try fd.readExactly(fromAbsoluteOffset: 0, into: $0) }
        #expect(prefix[8] == UInt8(ascii: "{"))

        let missing = try client.call(.openSession(OpenSessionRequest(base: "nope", mode: .factors)))
        #expect(missing.message.errorCodeForTests == .notFound)

        // Closing the connection closes its session in the core.
        client.close()
        #expect(eventually { harness.server.statistics.snapshot().connectionsOpen == 0 })
        let other = try harness.readyClient()
        let stats = try other.call(.stats(StatsRequest()))
        guard case .stats(let figures) = stats.message else {
            Issue.record("expected STATS_REPLY, got \(stats.message)")
            return
        }
        #expect(figures.sessions == 0)
    }
}
