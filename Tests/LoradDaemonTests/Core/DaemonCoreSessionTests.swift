import LoradAdapters
import LoradServer
import LoradSystem
import LoradTensors
import LoradWire
import Testing

@testable import LoradDaemon

/// DaemonCore driven directly with the real-library fixtures: sessions, segments, the cache.
@Suite struct DaemonCoreSessionTests {
    /// A harness with the fixture base loaded and both diffusers adapters imported as
    /// `plain` and `meta`.
    private func prepared(budget: Int = 64 << 20) async throws -> CoreHarness {
        let harness = try CoreHarness(budget: budget)
        try await harness.loadFixtureBase()
        for (fixture, name) in [("diffusers_plain", "plain"), ("diffusers_meta", "meta")] {
            let reply = try await harness.importFixture(fixture, as: name)
            guard case .importAdapter = reply.message else { throw UnexpectedReply(message: reply.message) }
        }
        return harness
    }

    /// Maps descriptor `index` of a reply and parses it.
    private func segmentFile(_ reply: HandlerReply, _ index: Int) throws -> SafetensorsFile {
        let region = try MappedRegion(fileDescriptor: reply.fds[index])
        return try SafetensorsFile(storage: TensorStorage(region: region), name: "segment \(index)")
    }

    /// The offline merge of the fixture adapters with `weights`, made by ModelMerger.
    private func offlineMerge(_ weights: [(String, Double)], in harness: CoreHarness) throws -> SafetensorsModel {
        let base = try SafetensorsModel.open(path: CoreFixtures.basePath)
        let adapters = try weights.map { fixture, weight in
            LoradAdapters.WeightedAdapter(adapter: try AdapterParser.parse(AdapterSource.open(path: CoreFixtures.path(fixture))), weight: weight)
        }
        let output = harness.scratchPath("offline-\(weights.map { "\($0.0)\($0.1)" }.joined()).safetensors")
        try ModelMerger.merge(base: base, baseName: "tiny", adapters: adapters, to: output)
        return try SafetensorsModel.open(path: output)
    }

    @Test func fusedOverlayEqualsTheOfflineMergeBitForBit() async throws {
        let harness = try await prepared()
        let opened = await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused)))
        let session = try opened.session()
        #expect(session.generation == 0 && session.active.isEmpty)
        #expect(session.segments.map(\.kind) == [.base])
        #expect(opened.fds.count == 1)

        let switched = await harness.call(.switchAdapters(SwitchRequest(sessionID: session.sessionID, adapters: [weighted("plain", 0.7), weighted("meta", -0.3)])))
        let state = try switched.session()
        #expect(state.generation == 1)
        #expect(state.active == [ActiveAdapter(name: "plain", version: 1, weight: 0.7), ActiveAdapter(name: "meta", version: 1, weight: -0.3)])
        #expect(state.segments.map(\.kind) == [.base, .overlay])
        // The reply names, in order, the descriptors of the segments it holds (the encoder
        // makes them the wire's indexes 0 and 1).
        #expect(state.segments.map(\.fd) == switched.fds.map(\.rawValue))
        #expect(state.segments.allSatisfy { $0.adapterIndex == nil })
        #expect(switched.fds.count == 2 && switched.descriptors.allSatisfy { $0 is Segment })

        let baseFile = try SafetensorsFile(path: CoreFixtures.basePath)
        let baseSegment = try segmentFile(switched, 0)
        #expect(baseSegment.names == baseFile.names)
        #expect(baseSegment.metadata == baseFile.metadata)
        for name in baseFile.names {
            #expect(try #require(baseSegment.tensor(named: name)).bytes == (try #require(baseFile.tensor(named: name))).bytes)
        }
        #expect(Int(state.segments[0].byteSize) == (try switched.fds[0].size()))

        let overlay = try segmentFile(switched, 1)
        let merged = try offlineMerge([("diffusers_plain", 0.7), ("diffusers_meta", -0.3)], in: harness)
        let touched = baseFile.names.filter { $0.contains(".attn1.to_") && $0.hasSuffix(".weight") }
        #expect(overlay.names == touched)
        #expect(touched.count == 8)
        for name in touched {
            let ours = try #require(overlay.tensor(named: name))
            let offline = try #require(merged.tensor(named: name))
            #expect(ours.dtype == offline.dtype && ours.shape == offline.shape)
            #expect(ours.bytes == offline.bytes, "\(name) differs from ModelMerger's")
            #expect(ours.bytes != (try #require(baseFile.tensor(named: name))).bytes)
        }
        let active = try #require(overlay.metadata?[SegmentBuilder.overlayActiveKey])
        #expect(active.contains("\"name\":\"plain\"") && active.contains("\"weight\":-0.3"))
        #expect(overlay.metadata?[SegmentBuilder.overlayBaseKey] == "tiny")
    }

    @Test func factorsModeGivesTheImportedFactorsAndScales() async throws {
        let harness = try await prepared()
        let session = try await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .factors))).session()
        let reply = await harness.call(.switchAdapters(SwitchRequest(sessionID: session.sessionID, adapters: [weighted("plain", 0.7), weighted("meta", -0.3)])))
        let state = try reply.session()
        #expect(state.segments.map(\.kind) == [.base, .factors, .factors])
        #expect(state.segments.map(\.adapterIndex) == [nil, 0, 1])
        #expect(state.active.map(\.weight) == [0.7, -0.3])
        for (index, fixture, scale) in [(1, "diffusers_plain", 1.0), (2, "diffusers_meta", 2.0)] {
            let file = try segmentFile(reply, index)
            let source = try AdapterParser.parse(AdapterSource.open(path: CoreFixtures.path(fixture)))
            let expected = source.diffusersTensors()
            #expect(file.names == expected.map(\.name).sorted())
            for (name, tensor) in expected {
                #expect(try #require(file.tensor(named: name)).bytes == tensor.bytes, "\(fixture) \(name)")
            }
            let reparsed = try AdapterParser.parse(AdapterSource(origin: "segment", weights: file))
            #expect(reparsed.modules.allSatisfy { $0.scale == scale })
            let scales = try #require(file.metadata?[SegmentBuilder.scalesKey])
            #expect(scales.contains("\"transformer_blocks.1.attn1.to_v\":\(Int(scale))"))
        }
    }

    @Test func switchingBackAndForthReusesSegments() async throws {
        let harness = try await prepared()
        let id = try await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused))).session().sessionID
        func switchTo(_ set: [LoradWire.WeightedAdapter]) async throws -> SessionReply {
            try await harness.call(.switchAdapters(SwitchRequest(sessionID: id, adapters: set))).session()
        }
        let one = try await switchTo([weighted("plain", 0.7)])
        let two = try await switchTo([weighted("plain", 0.7), weighted("meta", -0.3)])
        let back = try await switchTo([weighted("plain", 0.7)])
        let again = try await switchTo([weighted("plain", 0.7), weighted("meta", -0.3)])
        let none = try await switchTo([])
        #expect([one, two, back, again, none].map(\.generation) == [1, 2, 3, 4, 5])
        #expect(one.segments[1].segmentID != two.segments[1].segmentID)
        #expect(back.segments[1].segmentID == one.segments[1].segmentID)
        #expect(again.segments[1].segmentID == two.segments[1].segmentID)
        #expect(Set([one, two, back, again, none].map { $0.segments[0].segmentID }).count == 1)
        #expect(none.segments.map(\.kind) == [.base] && none.active.isEmpty)
        let stats = harness.core.segmentStats
        #expect(stats.misses == 2 && stats.hits == 2)
        #expect(stats.referencedBytes == 0 && stats.entries == 2)

        // A different order is a different overlay; a second session with the same set shares it.
        let swapped = try await switchTo([weighted("meta", -0.3), weighted("plain", 0.7)])
        #expect(swapped.segments[1].segmentID != two.segments[1].segmentID)
        let other = try await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused))).session().sessionID
        let shared = try await harness.call(.switchAdapters(SwitchRequest(sessionID: other, adapters: [weighted("meta", -0.3), weighted("plain", 0.7)]))).session()
        #expect(shared.segments[1].segmentID == swapped.segments[1].segmentID)
        #expect(harness.core.segmentStats.referencedEntries == 1)
    }

    @Test func attachDetachAndGetSegments() async throws {
        let harness = try await prepared()
        let id = try await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .factors))).session().sessionID
        let attached = try await harness.call(.attach(AttachRequest(sessionID: id, adapter: AdapterRef(name: "plain"), weight: 0.5))).session()
        #expect(attached.active.map(\.name) == ["plain"] && attached.generation == 1)
        let second = try await harness.call(.attach(AttachRequest(sessionID: id, adapter: AdapterRef(name: "meta", version: 1), weight: 1))).session()
        #expect(second.active.map(\.name) == ["plain", "meta"])
        // Attaching a name already in the set replaces its weight in place (PROTOCOL.md).
        let replaced = try await harness.call(.attach(AttachRequest(sessionID: id, adapter: AdapterRef(name: "plain"), weight: -1))).session()
        #expect(replaced.active.map(\.weight) == [-1, 1] && replaced.generation == 3)
        #expect(replaced.segments[1].segmentID == second.segments[1].segmentID)
        let detached = try await harness.call(.detach(DetachRequest(sessionID: id, name: "plain"))).session()
        #expect(detached.active.map(\.name) == ["meta"] && detached.segments.map(\.adapterIndex) == [nil, 0])
        let current = await harness.call(.getSegments(GetSegmentsRequest(sessionID: id)))
        #expect(try current.session() == detached)
        #expect(current.fds.count == 2)

        let missing = await harness.call(.detach(DetachRequest(sessionID: id, name: "plain")))
        #expect(missing.errorCode == .notFound)
        let unknown = await harness.call(.attach(AttachRequest(sessionID: id, adapter: AdapterRef(name: "nope"), weight: 1)))
        #expect(unknown.errorCode == .notFound)
        let badWeight = await harness.call(.attach(AttachRequest(sessionID: id, adapter: AdapterRef(name: "plain"), weight: .nan)))
        #expect(badWeight.errorCode == .invalidArgument)
        let duplicate = await harness.call(.switchAdapters(SwitchRequest(sessionID: id, adapters: [weighted("plain", 1), weighted("plain", 2)])))
        #expect(duplicate.errorCode == .invalidArgument)
        let badName = await harness.call(.attach(AttachRequest(sessionID: id, adapter: AdapterRef(name: "../x"), weight: 1)))
        #expect(badName.errorCode == .invalidArgument)
        // Failed requests changed nothing.
        #expect(try await harness.call(.getSegments(GetSegmentsRequest(sessionID: id))).session() == detached)
    }

    @Test func sessionsArePrivateToTheirConnection() async throws {
        let harness = try await prepared()
        let id = try await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused)), peer: CoreHarness.user).session().sessionID
        let stranger = PeerContext(connectionID: 99, pid: 1, uid: 1000, gid: 1000, isAdmin: false)
        let reply = await harness.call(.switchAdapters(SwitchRequest(sessionID: id, adapters: [weighted("plain", 1)])), peer: stranger)
        #expect(reply.errorCode == .notFound)
        #expect(await harness.call(.closeSession(CloseSessionRequest(sessionID: id)), peer: stranger).errorCode == .notFound)
        guard case .closeSession = await harness.call(.closeSession(CloseSessionRequest(sessionID: id)), peer: CoreHarness.user).message else {
            Issue.record("the owner could not close its session")
            return
        }
        #expect(await harness.call(.getSegments(GetSegmentsRequest(sessionID: id)), peer: CoreHarness.user).errorCode == .notFound)
    }

    @Test func connectionClosedFreesReferences() async throws {
        let harness = try await prepared()
        for mode in [SessionMode.fused, .factors] {
            let id = try await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: mode)), peer: CoreHarness.user).session().sessionID
            _ = try await harness.call(.switchAdapters(SwitchRequest(sessionID: id, adapters: [weighted("plain", 0.7), weighted("meta", -0.3)])), peer: CoreHarness.user).session()
        }
        #expect(harness.core.segmentStats.referencedBytes > 0)
        #expect(harness.core.segmentStats.referencedEntries == 3)
        harness.core.connectionClosed(CoreHarness.user.connectionID)
        let afterClose = harness.core.segmentStats
        #expect(afterClose.referencedBytes == 0 && afterClose.referencedEntries == 0)
        #expect(afterClose.cachedBytes > 0)
        guard case .evict(let evicted) = await harness.call(.evict(EvictRequest())).message else {
            Issue.record("evict failed")
            return
        }
        #expect(evicted.segmentsEvicted == 3 && Int(evicted.bytesFreed) == afterClose.cachedBytes)
        let final = harness.core.segmentStats
        #expect(final.entries == 0 && final.cachedBytes == 0 && final.referencedBytes == 0 && final.reservedBytes == 0)
        guard case .stats(let stats) = await harness.call(.stats(StatsRequest())).message else {
            Issue.record("stats failed")
            return
        }
        #expect(stats.sessions == 0 && stats.basesResident == 1 && stats.segments == 1 && stats.adapters == 2)
    }

    @Test func theBudgetIsEnforced() async throws {
        let harness = try await prepared(budget: 4096)
        let id = try await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused))).session().sessionID
        let reply = await harness.call(.switchAdapters(SwitchRequest(sessionID: id, adapters: [weighted("plain", 1)])))
        #expect(reply.errorCode == .resourceExhausted)
        let state = try await harness.call(.getSegments(GetSegmentsRequest(sessionID: id))).session()
        #expect(state.generation == 0 && state.active.isEmpty)
        let stats = harness.core.segmentStats
        #expect(stats.reservedBytes == 0 && stats.entries == 0)
    }

    @Test func thePerUIDSessionLimitHolds() async throws {
        let harness = try CoreHarness(sessionsPerUID: 2)
        try await harness.loadFixtureBase()
        for _ in 0..<2 {
            _ = try await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused)), peer: CoreHarness.user).session()
        }
        let third = await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused)), peer: CoreHarness.user)
        #expect(third.errorCode == .resourceExhausted)
    }

    @Test func basesThatAreMissingOrBrokenAreReported() async throws {
        let harness = try CoreHarness()
        let failures = await harness.loadBases([("ghost", harness.scratchPath("missing.safetensors"))])
        #expect(failures["ghost"] != nil)
        #expect(harness.core.baseState("ghost") == .failed)
        #expect(await harness.call(.openSession(OpenSessionRequest(base: "ghost", mode: .fused))).errorCode == .notReady)
        #expect(await harness.call(.openSession(OpenSessionRequest(base: "nobody", mode: .fused))).errorCode == .notFound)
        guard case .listBases(let list) = await harness.call(.listBases(ListBasesRequest())).message else {
            Issue.record("list bases failed")
            return
        }
        #expect(list.bases == [BaseInfo(name: "ghost", state: .failed, byteSize: 0, tensorCount: 0)])
        #expect(harness.core.statusLine().contains("1 failed"))
    }
}
