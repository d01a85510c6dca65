import Foundation
import LoradWire
import Testing
@testable import loractl

/// The shapes docs/CLI_JSON.md documents: every output parses as one JSON object with
/// these keys and value types.
@Suite struct CLIJSONTests {
    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func status() throws {
        let stats = StatsReply(
            uptimeMilliseconds: 5000, connections: 2, sessions: 1, basesResident: 1, segments: 3, segmentBytes: 1 << 20,
            budgetBytes: 1 << 30, cacheHits: 7, cacheMisses: 2, adapters: 4, storeBytes: 99)
        let json = try object(CLIJSON.status(
            socket: "/run/lorad/lorad.sock", server: "lorad/0.1.0", version: .current,
            limits: .default, maxRequestsInFlight: 32, stats: stats))
        #expect(json["socket"] as? String == "/run/lorad/lorad.sock")
        #expect(json["protocol"] as? String == "1.2")
        let limits = try #require(json["limits"] as? [String: Any])
        #expect(limits["max_frame_bytes"] as? Int == 65536)
        #expect(limits["max_requests_in_flight"] as? Int == 32)
        #expect(json["segment_bytes"] as? Int == 1 << 20)
        #expect(json["cache_hits"] as? Int == 7)
        #expect(Set(json.keys) == [
            "socket", "server", "protocol", "limits", "uptime_ms", "connections", "sessions", "bases_resident",
            "segments", "segment_bytes", "budget_bytes", "cache_hits", "cache_misses", "adapters", "store_bytes",
        ])
    }

    @Test func basesAndAdapters() throws {
        let bases = try object(CLIJSON.bases([BaseInfo(name: "tiny", state: .ready, byteSize: 10, tensorCount: 3)]))
        let base = try #require((bases["bases"] as? [[String: Any]])?.first)
        #expect(base["state"] as? String == "ready")
        #expect(base["tensor_count"] as? Int == 3)
        #expect(base["origin"] == nil, "a 1.0 server sends no origin")
        let stored = try object(CLIJSON.bases([BaseInfo(name: "tiny", state: .ready, byteSize: 10, tensorCount: 3, origin: .fdStore)]))
        #expect((stored["bases"] as? [[String: Any]])?.first?["origin"] as? String == "fd_store")
        let list = try object(CLIJSON.adapters([
            LoradWire.AdapterSummary(name: "disney", latestVersion: 2, base: nil, rank: 16, storedBytes: 5, tags: ["style"]),
        ]))
        let adapter = try #require((list["adapters"] as? [[String: Any]])?.first)
        #expect(adapter["name"] as? String == "disney")
        #expect(adapter["base"] is NSNull)
        #expect(adapter["tags"] as? [String] == ["style"])
    }

    @Test func showAndImport() throws {
        let show = try object(CLIJSON.show(ShowAdapterReply(
            name: "disney", version: 2, latestVersion: 3, base: "tiny", description: "line\n\"quoted\"", tags: [],
            sourceFormat: "peft", rank: 4, alpha: 0.5, moduleCount: 8, rawBytes: 100, storedBytes: 60,
            importedAt: 1_700_000_000, digest: "ab")))
        #expect(show["description"] as? String == "line\n\"quoted\"")
        #expect(show["alpha"] as? Double == 0.5)
        #expect(show["imported_at"] as? Int == 1_700_000_000)
        let imported = try object(CLIJSON.imported(
            ImportReply(name: "d", version: 1, sourceFormat: "diffusers", rank: 4, alpha: 8, moduleCount: 2, rawBytes: 9, storedBytes: 7),
            files: ["pytorch_lora_weights.safetensors"]))
        #expect(imported["files"] as? [String] == ["pytorch_lora_weights.safetensors"])
        #expect(imported["alpha"] as? Int == 8)
    }

    @Test func maintenanceReplies() throws {
        let verify = try object(CLIJSON.verify(VerifyReply(
            checked: 5, problemCount: 1, problems: [VerifyProblem(subject: "disney@1", message: "checksum mismatch")])))
        #expect(verify["problem_count"] as? Int == 1)
        #expect((verify["problems"] as? [[String: String]])?.first?["subject"] == "disney@1")
        let gc = try object(CLIJSON.gc(GCReply(blobsRemoved: 2, bytesFreed: 10), dryRun: true))
        #expect(gc["dry_run"] as? Bool == true)
        let evict = try object(CLIJSON.evict(EvictReply(segmentsEvicted: 1, bytesFreed: 4), base: nil))
        #expect(evict["base"] is NSNull)
        let removed = try object(CLIJSON.removed(AdapterRef(name: "x", version: 3), versions: 1))
        #expect(removed["adapter"] as? String == "x@3")
        let exported = try object(CLIJSON.exported(AdapterRef(name: "x"), output: "o.safetensors", bytesWritten: 12))
        #expect(exported["bytes_written"] as? Int == 12)
    }

    @Test func merged() throws {
        let json = try object(CLIJSON.merged(
            base: "tiny", adapters: [WeightedAdapter(adapter: AdapterRef(name: "a", version: nil), weight: 0.25)],
            output: "m.safetensors", reply: MergeReply(bytesWritten: 100, tensorsMerged: 4)))
        #expect(json["mode"] as? String == "online")
        let adapter = try #require((json["adapters"] as? [[String: Any]])?.first)
        #expect(adapter["version"] is NSNull)
        #expect(adapter["weight"] as? Double == 0.25)
        #expect(json["tensors_merged"] as? Int == 4)
    }
}
