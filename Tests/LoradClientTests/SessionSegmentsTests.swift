import LoradSystem
import LoradWire
import Testing
@testable import LoradClient

@Suite struct SessionSegmentsTests {
    static func state(_ segments: [(SegmentKind, UInt64, [UInt8], Int?)], generation: UInt64 = 0) throws -> SessionState {
        let active = [ActiveAdapter(name: "a", version: 1, weight: 0.5)]
        return SessionState(
            sessionID: 1, base: "b", mode: .factors, generation: generation, active: active,
            segments: try segments.map { kind, id, bytes, index in
                SessionSegment(
                    kind: kind, segmentID: id, byteSize: UInt64(bytes.count), adapterIndex: index,
                    descriptor: try sealedSegment(bytes))
            })
    }

    @Test func mapsEverySegmentAndFindsThemByKind() throws {
        let mapped = try SessionSegments(mapping: Self.state([(.base, 1, [1, 2, 3], nil), (.factors, 2, [9], 0)]))
        #expect(Array(try #require(mapped.baseSegment).region.bytes) == [1, 2, 3])
        #expect(Array(try #require(mapped.factors(forAdapterAt: 0)).region.bytes) == [9])
        #expect(mapped.overlay == nil)
        #expect(mapped.factors(forAdapterAt: 1) == nil)
    }

    @Test func equalSegmentIDsReuseTheEarlierMapping() throws {
        let first = try SessionSegments(mapping: Self.state([(.base, 1, [1, 2, 3], nil)]))
        // Same id, other bytes: the earlier mapping is kept, so the new bytes are never mapped.
        let second = try SessionSegments(
            mapping: Self.state([(.base, 1, [7, 7, 7], nil), (.factors, 5, [4], 0)], generation: 1), reusing: first)
        let reused = try #require(second.baseSegment).region
        #expect(reused === (try #require(first.baseSegment).region))
        #expect(Array(reused.bytes) == [1, 2, 3])
        #expect(second.generation == 1)
    }

    @Test func aSegmentLargerThanItsDescriptorIsRefused() throws {
        var state = try Self.state([(.base, 1, [1, 2, 3], nil)])
        state.segments[0].byteSize = 4096
        do {
            _ = try SessionSegments(mapping: state)
            Issue.record("mapped a segment past its end")
        } catch {
            guard case .invalidSegment(let reason) = error else { throw error }
            #expect(reason.contains("4096"))
            #expect(error.isRequestError)
        }
    }
}
