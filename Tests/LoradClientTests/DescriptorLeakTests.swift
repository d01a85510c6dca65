import LoradSystem
import LoradWire
import Testing
@testable import LoradClient

/// Connections, session replies and failures give back every descriptor they took.
@Suite(.serialized) struct DescriptorLeakTests {
    static func openDescriptorCount() -> Int {
        (try? DurableFile.listDirectory("/proc/self/fd").count) ?? -1
    }

    @Test func connectionsAndSegmentsDoNotLeakDescriptors() throws {
        let bytes = safetensorsBytes()
        func once() throws {
            let server = try FakeServer { side in
                try side.handshake()
                let (_, id, _) = try side.receive()
                let segment = try sealedSegment(bytes)
                defer { try? segment.close() }
                try side.send(
                    .getSegments(SessionReply(
                        sessionID: 1, base: "b", mode: .fused, generation: 0, active: [],
                        segments: [SegmentDescriptor(kind: .base, segmentID: 1, byteSize: UInt64(bytes.count), fd: segment.rawValue)])),
                    requestID: id)
                let (_, unanswered, _) = try side.receive()
                try side.send(.fatal(ErrorPayload(code: .protocolViolation, message: "bye")), requestID: unanswered)
            }
            let connection = try server.connect()
            _ = try SessionSegments(mapping: connection.getSegments(session: 1))
            #expect(throws: LoradClientError.self) { try connection.ping() }
            #expect(server.finish() == nil)
        }
        try once()
        let before = Self.openDescriptorCount()
        for _ in 0..<100 { try once() }
        // Other suites run in parallel and open descriptors of their own; a leak here would
        // grow by at least 100.
        #expect(Self.openDescriptorCount() - before < 60)
    }
}
