import Foundation
import LoradServerTestSupport
import LoradSystem
import LoradSystemd
import LoradStore
import LoradTensors
import LoradTestSupport
import LoradWire
import Testing

@testable import LoradDaemon

/// The fd store for base segments, against a fake `$NOTIFY_SOCKET` that records the
/// `FDSTORE=` datagrams and the descriptors they carry.
@Suite struct BaseFdStoreTests {
    /// A copy of the fixture base (so that tests may touch it) and a fake notify socket.
    final class Setup {
        let fake: FakeNotifySocket
        let folder: ScratchFolder
        let basePath: String

        init() throws {
            fake = try FakeNotifySocket(abstract: true)
            folder = try ScratchFolder()
            basePath = folder.path + "/tiny.safetensors"
            try FileManager.default.copyItem(atPath: CoreFixtures.basePath, toPath: basePath)
        }

        deinit { fake.close() }

        /// A core using an fd store that was passed `passed`, with base `tiny` loaded.
        func loadedCore(passed: [(name: String, fd: FileDescriptor)] = [], path: String? = nil) async throws -> CoreHarness {
            let harness = try CoreHarness()
            let store = BaseFdStore(notifier: SystemdNotifier(socketAddress: fake.address), logger: quietLogger, passed: passed)
            harness.core.useFdStore(store)
            let failures = await harness.loadBases([("tiny", path ?? basePath)])
            #expect(failures.isEmpty)
            return harness
        }

        /// The datagrams sent until none comes for 200 ms.
        func drain() throws -> [(text: String, fds: [FileDescriptor])] {
            var all: [(text: String, fds: [FileDescriptor])] = []
            while let next = try fake.nextWithDescriptors(timeout: 200) { all.append(next) }
            return all
        }

        /// Loads `tiny` once and returns what it stored, as systemd would pass it back.
        func storedOnce() async throws -> [(name: String, fd: FileDescriptor)] {
            _ = try await loadedCore()
            return try drain().compactMap { message in
                guard message.text.hasPrefix("FDSTORE=1\n"), let fd = message.fds.first else { return nil }
                return (String(message.text.dropFirst("FDSTORE=1\nFDNAME=".count).dropLast()), fd)
            }
        }
    }

    /// The (device, inode) of each descriptor.
    static func identities(_ fds: [FileDescriptor]) throws -> [FileStatus] { try fds.map { try $0.status() } }

    /// True when some open descriptor of this process is one of `files` (fd numbers are
    /// reused, so closure is checked by identity).
    static func anyOpen(_ files: [FileStatus]) throws -> Bool {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").contains { entry in
            guard let status = try? FileStatus(path: "/proc/self/fd/" + entry) else { return false }
            return files.contains { $0.device == status.device && $0.inode == status.inode }
        }
    }

    static let storeTexts = [
        "FDSTOREREMOVE=1\nFDNAME=lorad.base.tiny\n", "FDSTOREREMOVE=1\nFDNAME=lorad.record.tiny\n",
        "FDSTORE=1\nFDNAME=lorad.base.tiny\n", "FDSTORE=1\nFDNAME=lorad.record.tiny\n",
    ]

    @Test func aBaseLoadedFromItsFileIsStoredWithItsRecord() async throws {
        let setup = try Setup()
        let harness = try await setup.loadedCore()
        #expect(harness.core.baseOrigin("tiny") == .file)
        let messages = try setup.drain()
        #expect(messages.map(\.text) == Self.storeTexts)
        #expect(messages.map(\.fds.count) == [0, 0, 1, 1])
        let segment = try #require(messages[2].fds.first)
        let recordFD = try #require(messages[3].fds.first)
        defer {
            try? segment.close()
            try? recordFD.close()
        }
        #expect(try Memfd.seals(of: segment).isSuperset(of: .immutable))
        #expect(try Memfd.seals(of: recordFD).isSuperset(of: .immutable))
        let resident = try #require(harness.core.state.withLock { $0.bases.first?.resident })
        #expect(try segment.size() == resident.segment.byteSize)
        let record = try FdStoreRecord(decoding: try recordFD.readBytes(fromAbsoluteOffset: 0, count: try recordFD.size()))
        let status = try FileStatus(path: setup.basePath)
        #expect(record.base == "tiny" && record.path == setup.basePath)
        #expect(record.segmentSize == UInt64(resident.segment.byteSize))
        #expect(record.files.count == 1)
        #expect(record.files.first?.inode == status.inode && record.files.first?.size == UInt64(status.size))
        #expect(record.files.first?.modificationNanoseconds == status.modificationNanoseconds)
    }

    @Test func aMatchingStoredBaseIsAdoptedWithoutStoringAgain() async throws {
        let setup = try Setup()
        let passed = try await setup.storedOnce()
        #expect(passed.map(\.name) == ["lorad.base.tiny", "lorad.record.tiny"])
        let harness = try await setup.loadedCore(passed: passed)
        #expect(harness.core.baseOrigin("tiny") == .fdStore)
        #expect(harness.core.statusLine().contains("bases 1/1 ready (1 from the fd store)"))
        #expect(try setup.drain().isEmpty)
        var modern = CoreHarness.admin
        modern.protocolVersion = .current
        guard case .listBases(let list) = await harness.call(.listBases(.init()), peer: modern).message else {
            Issue.record("LIST_BASES failed")
            return
        }
        #expect(list.bases.first?.origin == .fdStore)
        guard case .listBases(let old) = await harness.call(.listBases(.init())).message else {
            Issue.record("LIST_BASES failed")
            return
        }
        #expect(old.bases.first?.origin == nil, "a 1.0 peer gets 1.0 records")
        let session = try await harness.call(.openSession(.init(base: "tiny", mode: .fused))).session()
        #expect(session.segments.map(\.kind) == [.base])
    }

    @Test func aTouchedFileIsLoadedAgainAndStoredAnew() async throws {
        let setup = try Setup()
        let passed = try await setup.storedOnce()
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: setup.basePath)
        let harness = try await setup.loadedCore(passed: passed)
        #expect(harness.core.baseOrigin("tiny") == .file)
        let texts = try setup.drain().map(\.text)
        // The rejected entries are removed, then the new copy replaces them.
        #expect(texts == Array(Self.storeTexts.prefix(2)) + Self.storeTexts)
    }

    @Test func aChangedPathIsNotAdopted() async throws {
        let setup = try Setup()
        let passed = try await setup.storedOnce()
        let other = setup.folder.path + "/other.safetensors"
        try FileManager.default.copyItem(atPath: setup.basePath, toPath: other)
        let harness = try await setup.loadedCore(passed: passed, path: other)
        #expect(harness.core.baseOrigin("tiny") == .file)
    }

    @Test func garbageIsRemovedClosedAndTheBaseLoadedFromItsFile() async throws {
        let setup = try Setup()
        let unsealed = try Memfd.create(name: "not-sealed")
        try unsealed.write([UInt8](repeating: 0, count: 16))
        let junkRecord = try Memfd.create(name: "junk-record")
        try junkRecord.write(Array("{not json".utf8))
        try Memfd.addSeals(.immutable, to: junkRecord)
        let stray = try Memfd.create(name: "stray")
        let identities = try Self.identities([unsealed, junkRecord, stray])
        let harness = try await setup.loadedCore(passed: [
            ("lorad.base.tiny", unsealed), ("lorad.record.tiny", junkRecord), ("stray-thing", stray),
        ])
        #expect(harness.core.baseOrigin("tiny") == .file)
        let texts = try setup.drain().map(\.text)
        #expect(texts.first == "FDSTOREREMOVE=1\nFDNAME=stray-thing\n")
        #expect(Array(texts.dropFirst()) == Array(Self.storeTexts.prefix(2)) + Self.storeTexts)
        #expect(try !Self.anyOpen(identities), "every passed descriptor is closed")
    }

    @Test func aSegmentWithAnotherRecordIsRejected() async throws {
        let setup = try Setup()
        let passed = try await setup.storedOnce()
        // The record of another segment: sizes or header hashes differ.
        var record = try FdStoreRecord(decoding: try passed[1].fd.readBytes(fromAbsoluteOffset: 0, count: try passed[1].fd.size()))
        record.segmentHeaderSHA256 = String(repeating: "0", count: 64)
        let bytes = record.encoded()
        let forged = try SegmentBuilder.sealedMemfd(name: "forged", byteSize: bytes.count) { fd in try fd.write(bytes) }
        try passed[1].fd.close()
        let harness = try await setup.loadedCore(passed: [passed[0], ("lorad.record.tiny", forged)])
        #expect(harness.core.baseOrigin("tiny") == .file)
    }

    @Test func removedAndUnconfiguredBasesLeaveTheStore() async throws {
        let setup = try Setup()
        let harness = try await setup.loadedCore()
        _ = try setup.drain()
        harness.core.removeBases(["tiny"])
        #expect(try setup.drain().map(\.text) == Array(Self.storeTexts.prefix(2)))

        let passed = try await setup.storedOnce()
        let identities = try Self.identities(passed.map(\.fd))
        let store = BaseFdStore(notifier: SystemdNotifier(socketAddress: setup.fake.address), logger: quietLogger, passed: passed)
        #expect(store.pendingNames == ["tiny"])
        store.discard(unconfigured: ["other"])
        #expect(store.pendingNames.isEmpty)
        #expect(try setup.drain().map(\.text) == Array(Self.storeTexts.prefix(2)))
        #expect(try !Self.anyOpen(identities), "every passed descriptor is closed")
    }

    @Test func nothingIsStoredWithoutANotifySocket() async throws {
        let harness = try CoreHarness()
        harness.core.useFdStore(BaseFdStore(notifier: SystemdNotifier(socketAddress: nil), logger: quietLogger))
        try await harness.loadFixtureBase()
        #expect(harness.core.baseOrigin("tiny") == .file)
    }
}

extension BaseFdStoreTests {
    /// A diffusers folder: an index and two shards of the fixture base's tensors.
    static func makeShardedCopy(in folder: String) throws -> String {
        let model = try SafetensorsModel.open(path: CoreFixtures.basePath)
        let target = folder + "/transformer"
        try DurableFile.makeDirectory(target, permissions: 0o755, createIntermediates: true)
        let half = model.names.count / 2
        var map: [String] = []
        for (index, names) in [Array(model.names.prefix(half)), Array(model.names.dropFirst(half))].enumerated() {
            let shard = "diffusion_pytorch_model-0000\(index + 1)-of-00002.safetensors"
            let tensors = names.compactMap { name in model.tensor(named: name).map { (name, $0) } }
            try SafetensorsWriter.write(tensors: tensors, metadata: model.metadata, to: target + "/" + shard)
            map += names.map { "\"\($0)\": \"\(shard)\"" }
        }
        let json = "{\"metadata\": {}, \"weight_map\": {\(map.joined(separator: ", "))}}"
        try DurableFile.writeAtomically(to: target + "/diffusion_pytorch_model.safetensors.index.json", bytes: Array(json.utf8))
        return target
    }

    @Test func aShardedFolderIsRecordedFileByFileAndChecked() async throws {
        let setup = try Setup()
        let folder = try Self.makeShardedCopy(in: setup.folder.path)
        let first = try await setup.loadedCore(path: folder)
        #expect(first.core.baseOrigin("tiny") == .file)
        let passed = try setup.drain().compactMap { message -> (name: String, fd: FileDescriptor)? in
            guard message.text.hasPrefix("FDSTORE=1\n"), let fd = message.fds.first else { return nil }
            return (String(message.text.dropFirst("FDSTORE=1\nFDNAME=".count).dropLast()), fd)
        }
        let recordFD = try #require(passed.last?.fd)
        let record = try FdStoreRecord(decoding: try recordFD.readBytes(fromAbsoluteOffset: 0, count: try recordFD.size()))
        #expect(record.files.map(\.role) == [.index, .weights, .weights])
        #expect(record.files.map(\.path) == [
            folder + "/diffusion_pytorch_model.safetensors.index.json",
            folder + "/diffusion_pytorch_model-00001-of-00002.safetensors",
            folder + "/diffusion_pytorch_model-00002-of-00002.safetensors",
        ])
        #expect(try SourceFileIdentity.captureModel(path: folder) == record.files)

        // Adopted while unchanged; one touched shard is enough to refuse it.
        let second = try await setup.loadedCore(passed: passed, path: folder)
        #expect(second.core.baseOrigin("tiny") == .fdStore)
        let shard = folder + "/diffusion_pytorch_model-00002-of-00002.safetensors"
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -60)], ofItemAtPath: shard)
        let reason = record.mismatch(name: "tiny", path: folder, current: try SourceFileIdentity.captureModel(path: folder))
        #expect(reason?.contains("00002-of-00002.safetensors was modified") == true, "\(reason ?? "nil")")
    }

    @Test func headerDigestCoversLengthAndHeaderOnly() throws {
        let setup = try Setup()
        let fd = try FileDescriptor.open(setup.basePath, .readOnly)
        defer { try? fd.close() }
        let size = try fd.size()
        let prefix = try fd.readBytes(fromAbsoluteOffset: 0, count: 8)
        let length = Int(prefix.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let expected = BlobDigest(of: try fd.readBytes(fromAbsoluteOffset: 0, count: 8 + length)).hex
        #expect(try SafetensorsHeaderDigest.sha256(of: fd, fileSize: size, name: "x") == expected)
        #expect(throws: FdStoreRejection.self) { try SafetensorsHeaderDigest.sha256(of: fd, fileSize: 7, name: "x") }
        #expect(throws: FdStoreRejection.self) { try SafetensorsHeaderDigest.sha256(of: fd, fileSize: length + 7, name: "x") }
    }
}

extension BaseFdStoreTests {
    @Test func aNewPathRemovesTheOldEntriesAndStoresTheNewCopy() async throws {
        let setup = try Setup()
        let harness = try await setup.loadedCore()
        _ = try setup.drain()
        let other = setup.folder.path + "/moved.safetensors"
        try FileManager.default.copyItem(atPath: setup.basePath, toPath: other)
        #expect(await harness.loadBases([("tiny", other)]).isEmpty)
        let messages = try setup.drain()
        #expect(messages.map(\.text) == Array(Self.storeTexts.prefix(2)) + Self.storeTexts)
        let recordFD = try #require(messages.last?.fds.first)
        defer { for message in messages { for fd in message.fds { try? fd.close() } } }
        #expect(try FdStoreRecord(decoding: try recordFD.readBytes(fromAbsoluteOffset: 0, count: try recordFD.size())).path == other)
    }

    @Test func evictingABaseRemovesItFromTheStore() async throws {
        let setup = try Setup()
        let harness = try await setup.loadedCore()
        _ = try setup.drain()
        let reply = await harness.call(.evict(EvictRequest(base: "tiny")))
        #expect(reply.errorCode == nil)
        #expect(try setup.drain().map(\.text) == Array(Self.storeTexts.prefix(2)))
    }
}
