import Foundation
import LoradSystem
import LoradWire
import Testing

/// Runs the loractl binary's online commands against `ScriptedDaemon`.
@Suite(.serialized) struct OnlineCommandTests {
    let cli = LoractlProcessTests()

    func object(_ text: String) throws -> [String: Any] {
        let line = text.split(separator: "\n").last.map(String.init) ?? ""
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func noDaemonExits69WithTheHint() throws {
        for arguments in [["status"], ["list", "--json"], ["merge", "--base", "not-a-path", "--adapter", "a", "--output", "/tmp/x"]] {
            let outcome = try cli.run(arguments + ["--socket", "/nonexistent/lorad.sock"])
            #expect(outcome.status == 69, "\(arguments)")
            #expect(outcome.stderr == "loractl: daemon unavailable at /nonexistent/lorad.sock: is lorad running? (systemctl start lorad.socket) [ENOENT]\n")
        }
    }

    @Test func statusAndListPrintJSON() throws {
        let daemon = try ScriptedDaemon(connections: 2) { message, _ in
            switch message {
            case .stats:
                return (.stats(StatsReply(
                    uptimeMilliseconds: 3_723_000, connections: 1, sessions: 0, basesResident: 1, segments: 1, segmentBytes: 64,
                    budgetBytes: 1024, cacheHits: 0, cacheMisses: 1, adapters: 2, storeBytes: 10)), [])
            case .listAdapters(let request) where request.after == nil:
                return (.listAdapters(ListAdaptersReply(
                    adapters: [AdapterSummary(name: "a", latestVersion: 1, base: nil, rank: 4, storedBytes: 1, tags: [])],
                    nextAfter: "a")), [])
            case .listAdapters:
                return (.listAdapters(ListAdaptersReply(
                    adapters: [AdapterSummary(name: "b", latestVersion: 2, base: "tiny", rank: 8, storedBytes: 2, tags: ["t"])])), [])
            default:
                return (.error(ErrorPayload(code: .unsupported, message: "unexpected")), [])
            }
        }
        let status = try cli.run(["status", "--socket", daemon.path, "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(try object(status.stdout)["server"] as? String == "scripted/1")
        let list = try cli.run(["list", "--socket", daemon.path, "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let names = (try object(list.stdout)["adapters"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["a", "b"])
        #expect(daemon.finish().count == 3)
    }

    @Test func serverErrorsBecomeExitCodes() throws {
        let daemon = try ScriptedDaemon(connections: 2) { message, _ in
            if case .showAdapter = message {
                return (.error(ErrorPayload(code: .notFound, message: "no adapter named \"ghost\"; see loractl list")), [])
            }
            return (.error(ErrorPayload(code: .permissionDenied, message: "GC is for administrators")), [])
        }
        let show = try cli.run(["show", "ghost@2", "--socket", daemon.path])
        #expect(show.status == 66)
        #expect(show.stderr == "loractl: SHOW_ADAPTER failed: no adapter named \"ghost\"; see loractl list (not_found)\n")
        let gc = try cli.run(["gc", "--socket", daemon.path])
        #expect(gc.status == 77)
        let seen = daemon.finish()
        guard case .showAdapter(let request) = seen.first else {
            Issue.record("no SHOW_ADAPTER seen")
            return
        }
        #expect(request.adapter == AdapterRef(name: "ghost", version: 2))
    }

    @Test func importSendsTheFolderFilesAndExportWritesTheOutput() throws {
        let folder = try DurableFile.makeTemporaryDirectory(prefix: "loractl-online-")
        defer { try? DurableFile.removeTree(folder) }
        let weights = safetensors("lora_A", [1, 2])
        try DurableFile.writeAtomically(to: folder + "/adapter_config.json", bytes: Array("{}".utf8))
        try DurableFile.writeAtomically(to: folder + "/adapter_model.safetensors", bytes: weights)
        let exported = Array("exported bytes".utf8)
        let daemon = try ScriptedDaemon(connections: 2) { message, fds in
            switch message {
            case .importAdapter(let request):
                guard request.files.map(\.fileName) == ["adapter_config.json", "adapter_model.safetensors"], fds.count == 2,
                    try fds[1].size() == weights.count
                else { return (.error(ErrorPayload(code: .invalidArgument, message: "files: \(request.files)")), []) }
                return (.importAdapter(ImportReply(
                    name: request.name, version: 1, sourceFormat: "peft", rank: 4, alpha: request.alpha ?? 4, moduleCount: 1,
                    rawBytes: 16, storedBytes: 12)), [])
            case .exportAdapter:
                try fds[0].write(exported)
                return (.exportAdapter(ExportReply(bytesWritten: UInt64(exported.count))), [])
            default:
                return (.error(ErrorPayload(code: .unsupported, message: "unexpected")), [])
            }
        }
        let imported = try cli.run([
            "import", folder, "--name", "disney", "--alpha", "8", "--tag", "style", "--socket", daemon.path, "--json",
        ])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try object(imported.stdout)["alpha"] as? Int == 8)
        let output = folder + "/out.safetensors"
        let export = try cli.run(["export", "disney@1", "--output", output, "--socket", daemon.path])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: output))) == exported)
        #expect(try DurableFile.listDirectory(folder).filter { $0.contains(".tmp-") }.isEmpty)
        guard case .importAdapter(let request) = daemon.finish().first else {
            Issue.record("no IMPORT seen")
            return
        }
        #expect(request.tags == ["style"])
    }

    @Test func mergeGoesOnlineWhenTheBaseIsNoPath() throws {
        let folder = try DurableFile.makeTemporaryDirectory(prefix: "loractl-online-")
        defer { try? DurableFile.removeTree(folder) }
        let daemon = try ScriptedDaemon { message, fds in
            guard case .merge(let request) = message else {
                return (.error(ErrorPayload(code: .unsupported, message: "unexpected")), [])
            }
            try fds[0].write(Array(request.base.utf8))
            return (.merge(MergeReply(bytesWritten: UInt64(request.base.utf8.count), tensorsMerged: 3)), [])
        }
        let output = folder + "/merged.safetensors"
        let outcome = try cli.run([
            "merge", "--base", "tiny", "--adapter", "disney@2:0.5", "--adapter", "water", "--output", output,
            "--socket", daemon.path, "--json",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try object(outcome.stdout)["tensors_merged"] as? Int == 3)
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: output)), as: UTF8.self) == "tiny")
        guard case .merge(let request) = daemon.finish().first else {
            Issue.record("no MERGE seen")
            return
        }
        #expect(request.adapters == [
            WeightedAdapter(adapter: AdapterRef(name: "disney", version: 2), weight: 0.5),
            WeightedAdapter(adapter: AdapterRef(name: "water"), weight: 1),
        ])
    }

    /// Answers a session's requests: the base, then per mode an overlay or factor segments
    /// whose metadata carries per-module scales.
    static func sessionAnswer(base: [UInt8]) -> @Sendable (ClientMessage, [FileDescriptor]) throws -> (ServerMessage, [FileDescriptor]) {
        let sessions = Shared<[UInt64: SessionMode]>([:])
        return { message, _ in
            var fds: [FileDescriptor] = []
            func descriptor(_ kind: SegmentKind, _ id: UInt64, _ bytes: [UInt8], adapter: UInt16? = nil) throws -> SegmentDescriptor {
                let fd = try segment(bytes)
                fds.append(fd)
                return SegmentDescriptor(kind: kind, segmentID: id, byteSize: UInt64(bytes.count), fd: fd.rawValue, adapterIndex: adapter)
            }
            switch message {
            case .openSession(let request):
                let id = sessions.withLock { table in
                    let id = UInt64(table.count + 1)
                    table[id] = request.mode
                    return id
                }
                let reply = SessionReply(
                    sessionID: id, base: request.base, mode: request.mode, generation: 0, active: [],
                    segments: [try descriptor(.base, 1, base)])
                return (.openSession(reply), fds)
            case .switchAdapters(let request):
                guard let mode = sessions.withLock({ $0[request.sessionID] }) else {
                    return (.error(ErrorPayload(code: .notFound, message: "no session \(request.sessionID)")), [])
                }
                let active = request.adapters.map { ActiveAdapter(name: $0.adapter.name, version: $0.adapter.version ?? 3, weight: $0.weight) }
                var segments = [try descriptor(.base, 1, base)]
                if mode == .fused {
                    segments.append(try descriptor(.overlay, 9, safetensors("w", [4, 5])))
                } else {
                    for (index, adapter) in active.enumerated() {
                        let scales = "{\"blocks.0.to_q\":\(index + 1).5,\"blocks.0.to_k\":2}"
                        segments.append(try descriptor(
                            .factors, 20 + UInt64(index),
                            safetensors("\(adapter.name).lora_A.weight", [1], metadata: ["lorad.scales": scales]),
                            adapter: UInt16(index)))
                    }
                }
                let reply = SessionReply(
                    sessionID: request.sessionID, base: "tiny", mode: mode, generation: 1, active: active, segments: segments)
                return (.switchAdapters(reply), fds)
            case .closeSession:
                return (.closeSession(CloseSessionReply()), [])
            default:
                return (.error(ErrorPayload(code: .unsupported, message: "unexpected \(message.opcode)")), [])
            }
        }
    }

    @Test(arguments: ["fused", "factors"])
    func sessionDumpsSegmentsAndSessionJSON(mode: String) throws {
        let folder = try DurableFile.makeTemporaryDirectory(prefix: "loractl-session-")
        defer { try? DurableFile.removeTree(folder) }
        let base = safetensors("w", [1, 2])
        let daemon = try ScriptedDaemon(answer: Self.sessionAnswer(base: base))
        let dump = folder + "/dump/nested"
        let outcome = try cli.run([
            "session", "--base", "tiny", "--mode", mode, "--adapter", "disney@3:0.8", "--adapter", "water:-0.5",
            "--dump", dump, "--socket", daemon.path,
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let requests = daemon.finish()
        let files = Set(try DurableFile.listDirectory(dump))
        let expected: Set<String> = mode == "fused"
            ? ["base.safetensors", "overlay.safetensors", "session.json"]
            : ["base.safetensors", "factors-disney.safetensors", "factors-water.safetensors", "session.json"]
        #expect(files == expected)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: dump + "/base.safetensors"))) == base)
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dump + "/session.json"))) as? [String: Any])
        #expect(json["mode"] as? String == mode)
        #expect(json["generation"] as? Int == 1)
        #expect(json["base"] as? String == "tiny")
        let adapters = try #require(json["adapters"] as? [[String: Any]])
        #expect(adapters.map { $0["name"] as? String } == ["disney", "water"])
        #expect(adapters.map { $0["weight"] as? Double } == [0.8, -0.5])
        let scales = adapters.map { $0["scales"] as? [String: Double] }
        #expect(scales == [["blocks.0.to_q": 1.5, "blocks.0.to_k": 2], ["blocks.0.to_q": 2.5, "blocks.0.to_k": 2]])
        let closes = requests.filter { if case .closeSession = $0 { true } else { false } }
        #expect(closes.count == (mode == "fused" ? 2 : 1))
    }
}
