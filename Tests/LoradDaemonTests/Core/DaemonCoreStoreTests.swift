import LoradAdapters
import LoradSystem
import LoradTensors
import LoradWire
import Testing

@testable import LoradDaemon

/// DaemonCore's store requests: import, show, list, export, merge, remove, verify, gc, stats.
@Suite struct DaemonCoreStoreTests {
    private func loaded() async throws -> CoreHarness {
        let harness = try CoreHarness()
        try await harness.loadFixtureBase()
        return harness
    }

    @Test func importRecordsWhatItRead() async throws {
        let harness = try await loaded()
        guard case .importAdapter(let plain) = try await harness.importFixture("diffusers_plain", as: "plain").message else {
            Issue.record("import failed")
            return
        }
        #expect(plain.name == "plain" && plain.version == 1 && plain.sourceFormat == "diffusers")
        #expect(plain.rank == 8 && plain.alpha == 8 && plain.moduleCount == 8)
        #expect(plain.storedBytes > 0 && plain.rawBytes > 0)

        guard case .importAdapter(let peft) = try await harness.importFixture("peft_rslora", as: "peft", base: "tiny").message else {
            Issue.record("PEFT import failed")
            return
        }
        #expect(peft.sourceFormat == "peft" && peft.rank == 8 && peft.alpha == 16)

        let again = try await harness.importFixture("diffusers_meta", as: "plain")
        #expect(again.errorCode == .alreadyExists)
        guard case .importAdapter(let second) = try await harness.importFixture("diffusers_meta", as: "plain", newVersion: true).message else {
            Issue.record("import of a new version failed")
            return
        }
        #expect(second.version == 2 && second.rank == 4 && second.alpha == 8)

        guard case .showAdapter(let shown) = await harness.call(.showAdapter(ShowAdapterRequest(adapter: AdapterRef(name: "plain", version: 1)))).message else {
            Issue.record("show failed")
            return
        }
        #expect(shown.version == 1 && shown.latestVersion == 2 && shown.base == "tiny")
        #expect(shown.tags == ["test"] && shown.description == "from diffusers_plain" && shown.digest.utf8.count == 64)
        #expect(shown.moduleCount == 8 && shown.sourceFormat == "diffusers")

        guard case .listAdapters(let page) = await harness.call(.listAdapters(ListAdaptersRequest(limit: 0))).message else {
            Issue.record("list failed")
            return
        }
        #expect(page.adapters.map(\.name) == ["peft", "plain"] && page.nextAfter == nil)
        #expect(page.adapters.map(\.latestVersion) == [1, 2])
        guard case .listAdapters(let first) = await harness.call(.listAdapters(ListAdaptersRequest(base: "tiny", limit: 1))).message else {
            Issue.record("paged list failed")
            return
        }
        #expect(first.adapters.map(\.name) == ["peft"] && first.nextAfter == "peft")
        guard case .listAdapters(let rest) = await harness.call(.listAdapters(ListAdaptersRequest(base: "tiny", after: "peft", limit: 1))).message else {
            Issue.record("second page failed")
            return
        }
        #expect(rest.adapters.map(\.name) == ["plain"] && rest.nextAfter == nil)
        #expect(await harness.call(.listAdapters(ListAdaptersRequest(base: "other", limit: 0))).errorCode == .notFound)
    }

    @Test func importIsCheckedAndAdminOnly() async throws {
        let harness = try await loaded()
        let denied = await harness.call(.importAdapter(ImportRequest(name: "x", files: [], alpha: nil, base: nil, description: "", tags: [], newVersion: false)), peer: CoreHarness.user)
        #expect(denied.errorCode == .permissionDenied)
        let empty = await harness.call(.importAdapter(ImportRequest(name: "x", files: [], alpha: nil, base: nil, description: "", tags: [], newVersion: false)))
        #expect(empty.errorCode == .invalidArgument)
        // A base-model file is not an adapter.
        let fd = try FileDescriptor.open(CoreFixtures.basePath, .readOnly)
        let notAdapter = await harness.call(
            .importAdapter(ImportRequest(name: "x", files: [ImportFile(fileName: "base.safetensors", fd: fd.rawValue)], alpha: nil, base: nil, description: "", tags: [], newVersion: false)),
            fds: [fd])
        #expect(notAdapter.errorCode == .invalidArgument)
        // The fp16 set's adapter does not fit the bf16 base's dtypes? Shapes match, so it fits;
        // a truncated file is corrupt.
        let broken = harness.scratchPath("broken.safetensors")
        try DurableFile.writeAtomically(to: broken, bytes: [8, 0, 0, 0, 0, 0, 0, 0, 123])
        let brokenFD = try FileDescriptor.open(broken, .readOnly)
        let corrupt = await harness.call(
            .importAdapter(ImportRequest(name: "x", files: [ImportFile(fileName: "broken.safetensors", fd: brokenFD.rawValue)], alpha: nil, base: nil, description: "", tags: [], newVersion: false)),
            fds: [brokenFD])
        #expect(corrupt.errorCode == .corrupt)
        guard case .stats(let stats) = await harness.call(.stats(StatsRequest())).message else {
            Issue.record("stats failed")
            return
        }
        #expect(stats.adapters == 0 && stats.storeBytes == 0)
    }

    @Test func exportWritesTheAdapterInDiffusersLayout() async throws {
        let harness = try await loaded()
        _ = try await harness.importFixture("diffusers_meta", as: "meta")
        let path = harness.scratchPath("exported.safetensors")
        let output = try FileDescriptor.open(path, .writeOnly, options: [.create, .truncate])
        guard case .exportAdapter(let reply) = await harness.call(.exportAdapter(ExportRequest(adapter: AdapterRef(name: "meta"), output: output.rawValue)), fds: [output]).message else {
            Issue.record("export failed")
            return
        }
        #expect(Int(reply.bytesWritten) == (try FileStatus(path: path)).size)
        let exported = try AdapterParser.parse(AdapterSource.open(path: path))
        let original = try AdapterParser.parse(AdapterSource.open(path: CoreFixtures.path("diffusers_meta")))
        #expect(exported.targetTensors == original.targetTensors)
        #expect(exported.modules.map(\.scale) == original.modules.map(\.scale))
        #expect(exported.modules.map(\.down.bytes) == original.modules.map(\.down.bytes))
        #expect(exported.modules.map(\.up.bytes) == original.modules.map(\.up.bytes))
        let readOnly = try FileDescriptor.open(path, .readOnly)
        #expect(await harness.call(.exportAdapter(ExportRequest(adapter: AdapterRef(name: "meta"), output: readOnly.rawValue)), fds: [readOnly]).errorCode == .invalidArgument)
    }

    @Test func mergeWritesWhatModelMergerWrites() async throws {
        let harness = try await loaded()
        _ = try await harness.importFixture("diffusers_plain", as: "plain")
        _ = try await harness.importFixture("diffusers_meta", as: "meta")
        let path = harness.scratchPath("merged.safetensors")
        let output = try FileDescriptor.open(path, .writeOnly, options: [.create, .truncate])
        let request = MergeRequest(base: "tiny", adapters: [weighted("plain", 0.7), weighted("meta", -0.3)], output: output.rawValue)
        guard case .merge(let reply) = await harness.call(.merge(request), fds: [output]).message else {
            Issue.record("merge failed")
            return
        }
        #expect(reply.tensorsMerged == 8)
        let offline = harness.scratchPath("offline.safetensors")
        let adapters = try [("diffusers_plain", 0.7), ("diffusers_meta", -0.3)].map { fixture, weight in
            LoradAdapters.WeightedAdapter(adapter: try AdapterParser.parse(AdapterSource.open(path: CoreFixtures.path(fixture))), weight: weight)
        }
        try ModelMerger.merge(base: SafetensorsModel.open(path: CoreFixtures.basePath), baseName: "tiny", adapters: adapters, to: offline)
        let ours = try MappedRegion(path: path)
        let theirs = try MappedRegion(path: offline)
        #expect(Int(reply.bytesWritten) == ours.count)
        #expect(Array(ours.bytes) == Array(theirs.bytes))
    }

    @Test func removeRespectsSessionsUnlessForced() async throws {
        let harness = try await loaded()
        _ = try await harness.importFixture("diffusers_plain", as: "plain")
        let id = try await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused))).session().sessionID
        _ = try await harness.call(.switchAdapters(SwitchRequest(sessionID: id, adapters: [weighted("plain", 1)]))).session()
        #expect(await harness.call(.removeAdapter(RemoveRequest(adapter: AdapterRef(name: "plain"), force: false))).errorCode == .inUse)
        #expect(await harness.call(.removeAdapter(RemoveRequest(adapter: AdapterRef(name: "plain"), force: true)), peer: CoreHarness.user).errorCode == .permissionDenied)
        guard case .removeAdapter(let removed) = await harness.call(.removeAdapter(RemoveRequest(adapter: AdapterRef(name: "plain"), force: true))).message else {
            Issue.record("forced remove failed")
            return
        }
        #expect(removed.removedVersions == 1)
        // The session keeps its segments.
        let state = try await harness.call(.getSegments(GetSegmentsRequest(sessionID: id))).session()
        #expect(state.segments.map(\.kind) == [.base, .overlay])
        #expect(await harness.call(.showAdapter(ShowAdapterRequest(adapter: AdapterRef(name: "plain")))).errorCode == .notFound)
        #expect(await harness.call(.removeAdapter(RemoveRequest(adapter: AdapterRef(name: "plain"), force: false))).errorCode == .notFound)
    }

    @Test func verifyAndGarbageCollection() async throws {
        let harness = try await loaded()
        _ = try await harness.importFixture("diffusers_plain", as: "plain")
        _ = try await harness.importFixture("diffusers_meta", as: "meta")
        guard case .verify(let clean) = await harness.call(.verify(VerifyRequest())).message else {
            Issue.record("verify failed")
            return
        }
        #expect(clean.checked == 2 && clean.problemCount == 0 && clean.problems.isEmpty)
        guard case .verify(let one) = await harness.call(.verify(VerifyRequest(adapter: "meta"))).message else {
            Issue.record("verify of one adapter failed")
            return
        }
        #expect(one.checked == 1)
        #expect(await harness.call(.verify(VerifyRequest(adapter: "nope"))).errorCode == .notFound)
        #expect(await harness.call(.verify(VerifyRequest()), peer: CoreHarness.user).errorCode == .permissionDenied)

        guard case .gc(let nothing) = await harness.call(.gc(GCRequest(dryRun: true))).message else {
            Issue.record("gc failed")
            return
        }
        #expect(nothing.blobsRemoved == 0)
        _ = try harness.core.store.blobs.put([1, 2, 3, 4])
        guard case .gc(let dry) = await harness.call(.gc(GCRequest(dryRun: true))).message,
            case .gc(let real) = await harness.call(.gc(GCRequest(dryRun: false))).message
        else {
            Issue.record("gc failed")
            return
        }
        #expect(dry.blobsRemoved == 1 && dry.bytesFreed == 4)
        #expect(real.blobsRemoved == 1 && real.bytesFreed == 4)
    }

    @Test func pingCancelAndStats() async throws {
        let harness = try await loaded()
        guard case .ping(let pong) = await harness.call(.ping(PingRequest(token: 42))).message else {
            Issue.record("ping failed")
            return
        }
        #expect(pong.token == 42)
        guard case .cancel(let cancel) = await harness.call(.cancel(CancelRequest(targetRequestID: 12345))).message else {
            Issue.record("cancel failed")
            return
        }
        #expect(!cancel.wasPending)
        guard case .stats(let stats) = await harness.call(.stats(StatsRequest())).message else {
            Issue.record("stats failed")
            return
        }
        #expect(stats.basesResident == 1 && stats.connections == 1 && stats.budgetBytes == 64 << 20)
        #expect(harness.core.statusLine().hasPrefix("bases 1/1 ready, 0 sessions"))
    }
}
