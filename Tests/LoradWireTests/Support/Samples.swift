import LoradWire
import Testing

/// One sample message with the request id it travels with, the name of its golden vector in
/// protocol/vectors/, and a description written into the vector file.
struct Sample: Sendable, CustomTestStringConvertible {
    enum Message: Sendable, Equatable {
        case client(ClientMessage)
        case server(ServerMessage)
    }

    var name: String
    var description: String
    var requestID: UInt32
    var message: Message
    /// Placeholder descriptor numbers passed with the frame (the codec never touches them).
    var fds: [Int32] = []

    var testDescription: String { name }

    func encode(limits: FrameLimits = .default) throws(WireError) -> EncodedFrame {
        switch message {
        case .client(let message): try message.encode(requestID: requestID, limits: limits)
        case .server(let message): try message.encode(requestID: requestID, limits: limits)
        }
    }

    var isClient: Bool {
        if case .client = message { return true }
        return false
    }
}

/// Placeholder descriptor numbers: what a receiver's kernel would have handed out.
let fdA: Int32 = 100
let fdB: Int32 = 101
let fdC: Int32 = 102

private let disney = AdapterRef(name: "disney")
private let watercolor2 = AdapterRef(name: "watercolor", version: 2)

private let factorsState = SessionReply(
    sessionID: 42, base: "cogvideox-5b", mode: .factors, generation: 3,
    active: [
        ActiveAdapter(name: "disney", version: 1, weight: 0.8),
        ActiveAdapter(name: "watercolor", version: 2, weight: 0.3),
    ],
    segments: [
        SegmentDescriptor(kind: .base, segmentID: 1, byteSize: 11_142_103_040, fd: fdA),
        SegmentDescriptor(kind: .factors, segmentID: 7, byteSize: 132_120_576, fd: fdB, adapterIndex: 0),
        SegmentDescriptor(kind: .factors, segmentID: 9, byteSize: 66_060_288, fd: fdC, adapterIndex: 1),
    ])

private let fusedState = SessionReply(
    sessionID: 43, base: "cogvideox-5b", mode: .fused, generation: 1,
    active: [ActiveAdapter(name: "disney", version: 1, weight: 0.8)],
    segments: [
        SegmentDescriptor(kind: .base, segmentID: 1, byteSize: 11_142_103_040, fd: fdA),
        SegmentDescriptor(kind: .overlay, segmentID: 12, byteSize: 2_013_265_920, fd: fdB),
    ])

/// Every message of protocol 1.0 (and the 1.1 BaseInfo origin) at least once, with the variants the vectors pin down.
let samples: [Sample] = clientSamples + serverSamples

let clientSamples: [Sample] = [
    Sample(
        name: "hello_request", description: "HELLO: client loractl/0.1 offers versions 1.0 to 1.0",
        requestID: 1,
        message: .client(.hello(HelloRequest(minVersion: .first, maxVersion: .first, clientName: "loractl/0.1")))),
    Sample(
        name: "ping_request", description: "PING with token 0x0123456789abcdef", requestID: 2,
        message: .client(.ping(PingRequest(token: 0x0123_4567_89AB_CDEF)))),
    Sample(
        name: "cancel_request", description: "CANCEL request 7", requestID: 8,
        message: .client(.cancel(CancelRequest(targetRequestID: 7)))),
    Sample(
        name: "list_bases_request", description: "LIST_BASES (empty payload)", requestID: 3,
        message: .client(.listBases(ListBasesRequest()))),
    Sample(
        name: "list_adapters_request", description: "LIST_ADAPTERS all adapters, server-chosen page size",
        requestID: 4, message: .client(.listAdapters(ListAdaptersRequest(limit: 0)))),
    Sample(
        name: "list_adapters_request_filtered",
        description: "LIST_ADAPTERS base cogvideox-5b, tag style, after \"disney\", at most 50", requestID: 5,
        message: .client(
            .listAdapters(ListAdaptersRequest(base: "cogvideox-5b", tag: "style", after: "disney", limit: 50)))),
    Sample(
        name: "show_adapter_request", description: "SHOW_ADAPTER watercolor@2", requestID: 6,
        message: .client(.showAdapter(ShowAdapterRequest(adapter: watercolor2)))),
    Sample(
        name: "import_request",
        description:
            "IMPORT disney from adapter_config.json (fd index 0) and adapter_model.safetensors (fd index 1), alpha 64, base cogvideox-5b, 2 tags, new version allowed",
        requestID: 9,
        message: .client(
            .importAdapter(
                ImportRequest(
                    name: "disney",
                    files: [
                        ImportFile(fileName: "adapter_config.json", fd: fdA),
                        ImportFile(fileName: "adapter_model.safetensors", fd: fdB),
                    ],
                    alpha: 64, base: "cogvideox-5b", description: "Disney style, 2D", tags: ["style", "disney"],
                    newVersion: true))),
        fds: [fdA, fdB]),
    Sample(
        name: "import_request_minimal",
        description: "IMPORT plain from pytorch_lora_weights.safetensors (fd index 0), no alpha, no base, no tags",
        requestID: 10,
        message: .client(
            .importAdapter(
                ImportRequest(
                    name: "plain", files: [ImportFile(fileName: "pytorch_lora_weights.safetensors", fd: fdA)],
                    description: "", tags: [], newVersion: false))),
        fds: [fdA]),
    Sample(
        name: "export_request", description: "EXPORT disney (latest) into fd index 0", requestID: 11,
        message: .client(.exportAdapter(ExportRequest(adapter: disney, output: fdA))), fds: [fdA]),
    Sample(
        name: "remove_request", description: "REMOVE watercolor@2, force", requestID: 12,
        message: .client(.removeAdapter(RemoveRequest(adapter: watercolor2, force: true)))),
    Sample(
        name: "open_session_request", description: "OPEN_SESSION on cogvideox-5b in factors mode", requestID: 13,
        message: .client(.openSession(OpenSessionRequest(base: "cogvideox-5b", mode: .factors)))),
    Sample(
        name: "attach_request", description: "ATTACH disney (latest) to session 42 with weight 0.8", requestID: 14,
        message: .client(.attach(AttachRequest(sessionID: 42, adapter: disney, weight: 0.8)))),
    Sample(
        name: "detach_request", description: "DETACH watercolor from session 42", requestID: 15,
        message: .client(.detach(DetachRequest(sessionID: 42, name: "watercolor")))),
    Sample(
        name: "switch_request",
        description: "SWITCH session 42 to [disney (latest) 0.8, watercolor@2 0.3]", requestID: 16,
        message: .client(
            .switchAdapters(
                SwitchRequest(
                    sessionID: 42,
                    adapters: [
                        WeightedAdapter(adapter: disney, weight: 0.8),
                        WeightedAdapter(adapter: watercolor2, weight: 0.3),
                    ])))),
    Sample(
        name: "switch_request_empty", description: "SWITCH session 42 to the empty set (base only)", requestID: 17,
        message: .client(.switchAdapters(SwitchRequest(sessionID: 42, adapters: [])))),
    Sample(
        name: "close_session_request", description: "CLOSE_SESSION 42", requestID: 18,
        message: .client(.closeSession(CloseSessionRequest(sessionID: 42)))),
    Sample(
        name: "get_segments_request", description: "GET_SEGMENTS of session 42", requestID: 19,
        message: .client(.getSegments(GetSegmentsRequest(sessionID: 42)))),
    Sample(
        name: "merge_request",
        description: "MERGE cogvideox-5b + disney (latest) x0.75 - watercolor@2 x0.25 into fd index 0", requestID: 20,
        message: .client(
            .merge(
                MergeRequest(
                    base: "cogvideox-5b",
                    adapters: [
                        WeightedAdapter(adapter: disney, weight: 0.75),
                        WeightedAdapter(adapter: watercolor2, weight: -0.25),
                    ],
                    output: fdA))),
        fds: [fdA]),
    Sample(
        name: "evict_request", description: "EVICT the derived-segment cache and base cogvideox-2b", requestID: 21,
        message: .client(.evict(EvictRequest(base: "cogvideox-2b")))),
    Sample(
        name: "stats_request", description: "STATS (empty payload)", requestID: 22,
        message: .client(.stats(StatsRequest()))),
    Sample(
        name: "verify_request", description: "VERIFY the whole store", requestID: 23,
        message: .client(.verify(VerifyRequest()))),
    Sample(
        name: "gc_request", description: "GC, dry run", requestID: 24,
        message: .client(.gc(GCRequest(dryRun: true)))),
]

let serverSamples: [Sample] = [
    Sample(
        name: "hello_reply",
        description: "HELLO_REPLY: version 1.0, server lorad/0.1.0, 65536-byte frames, 253 fds, 32 requests in flight",
        requestID: 1,
        message: .server(
            .hello(
                HelloReply(
                    version: ProtocolVersion(major: 1, minor: 0), serverName: "lorad/0.1.0", maxFrameBytes: 65536, maxFDsPerFrame: 253,
                    maxRequestsInFlight: 32)))),
    Sample(
        name: "ping_reply", description: "PING_REPLY echoing 0x0123456789abcdef", requestID: 2,
        message: .server(.ping(PingReply(token: 0x0123_4567_89AB_CDEF)))),
    Sample(
        name: "cancel_reply", description: "CANCEL_REPLY: the target was pending", requestID: 8,
        message: .server(.cancel(CancelReply(wasPending: true)))),
    Sample(
        name: "list_bases_reply", description: "LIST_BASES_REPLY: cogvideox-5b ready, cogvideox-2b configured",
        requestID: 3,
        message: .server(
            .listBases(
                ListBasesReply(bases: [
                    BaseInfo(name: "cogvideox-5b", state: .ready, byteSize: 11_142_103_040, tensorCount: 842),
                    BaseInfo(name: "cogvideox-2b", state: .configured, byteSize: 0, tensorCount: 0),
                ])))),
    Sample(
        name: "list_bases_reply_origin",
        description: "LIST_BASES_REPLY at protocol 1.1: cogvideox-5b ready from the fd store, cogvideox-2b configured",
        requestID: 3,
        message: .server(
            .listBases(
                ListBasesReply(bases: [
                    BaseInfo(name: "cogvideox-5b", state: .ready, byteSize: 11_142_103_040, tensorCount: 842, origin: .fdStore),
                    BaseInfo(name: "cogvideox-2b", state: .configured, byteSize: 0, tensorCount: 0, origin: .notResident),
                ])))),
    Sample(
        name: "list_adapters_reply",
        description: "LIST_ADAPTERS_REPLY: disney and watercolor, next page after watercolor", requestID: 4,
        message: .server(
            .listAdapters(
                ListAdaptersReply(
                    adapters: [
                        AdapterSummary(
                            name: "disney", latestVersion: 1, base: "cogvideox-5b", rank: 64,
                            storedBytes: 88_080_384, tags: ["style", "disney"]),
                        AdapterSummary(
                            name: "watercolor", latestVersion: 2, base: nil, rank: 32, storedBytes: 44_040_192,
                            tags: []),
                    ],
                    nextAfter: "watercolor")))),
    Sample(
        name: "show_adapter_reply", description: "SHOW_ADAPTER_REPLY for watercolor@2 (peft, rank 32, alpha 16)",
        requestID: 6,
        message: .server(
            .showAdapter(
                ShowAdapterReply(
                    name: "watercolor", version: 2, latestVersion: 2, base: "cogvideox-5b",
                    description: "Watercolour wash", tags: ["style"], sourceFormat: "peft", rank: 32, alpha: 16,
                    moduleCount: 240, rawBytes: 66_060_288, storedBytes: 44_040_192, importedAt: 1_767_225_600,
                    digest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")))),
    Sample(
        name: "import_reply", description: "IMPORT_REPLY: disney version 1 (diffusers, rank 64, alpha 64)",
        requestID: 9,
        message: .server(
            .importAdapter(
                ImportReply(
                    name: "disney", version: 1, sourceFormat: "diffusers", rank: 64, alpha: 64, moduleCount: 240,
                    rawBytes: 132_120_576, storedBytes: 88_080_384)))),
    Sample(
        name: "export_reply", description: "EXPORT_REPLY: 132120904 bytes written", requestID: 11,
        message: .server(.exportAdapter(ExportReply(bytesWritten: 132_120_904)))),
    Sample(
        name: "remove_reply", description: "REMOVE_REPLY: 1 version removed", requestID: 12,
        message: .server(.removeAdapter(RemoveReply(removedVersions: 1)))),
    Sample(
        name: "open_session_reply",
        description: "OPEN_SESSION_REPLY: session 43 on cogvideox-5b, fused, generation 0, base segment (fd index 0)",
        requestID: 13,
        message: .server(
            .openSession(
                SessionReply(
                    sessionID: 43, base: "cogvideox-5b", mode: .fused, generation: 0, active: [],
                    segments: [SegmentDescriptor(kind: .base, segmentID: 1, byteSize: 11_142_103_040, fd: fdA)]))),
        fds: [fdA]),
    Sample(
        name: "attach_reply",
        description: "ATTACH_REPLY: session 43 fused, generation 1, [disney@1 0.8], base + overlay (fd indexes 0, 1)",
        requestID: 14, message: .server(.attach(fusedState)), fds: [fdA, fdB]),
    Sample(
        name: "detach_reply",
        description:
            "DETACH_REPLY: session 42 factors, generation 3, [disney@1 0.8, watercolor@2 0.3], base + 2 factor segments",
        requestID: 15, message: .server(.detach(factorsState)), fds: [fdA, fdB, fdC]),
    Sample(
        name: "switch_reply",
        description:
            "SWITCH_REPLY: session 42 factors, generation 3, [disney@1 0.8, watercolor@2 0.3], base + 2 factor segments",
        requestID: 16, message: .server(.switchAdapters(factorsState)), fds: [fdA, fdB, fdC]),
    Sample(
        name: "close_session_reply", description: "CLOSE_SESSION_REPLY (empty payload)", requestID: 18,
        message: .server(.closeSession(CloseSessionReply()))),
    Sample(
        name: "get_segments_reply",
        description: "GET_SEGMENTS_REPLY: session 43 fused, generation 1, [disney@1 0.8], base + overlay",
        requestID: 19, message: .server(.getSegments(fusedState)), fds: [fdA, fdB]),
    Sample(
        name: "merge_reply", description: "MERGE_REPLY: 11142103368 bytes, 240 tensors merged", requestID: 20,
        message: .server(.merge(MergeReply(bytesWritten: 11_142_103_368, tensorsMerged: 240)))),
    Sample(
        name: "evict_reply", description: "EVICT_REPLY: 3 segments, 2281701376 bytes freed", requestID: 21,
        message: .server(.evict(EvictReply(segmentsEvicted: 3, bytesFreed: 2_281_701_376)))),
    Sample(
        name: "stats_reply", description: "STATS_REPLY snapshot", requestID: 22,
        message: .server(
            .stats(
                StatsReply(
                    uptimeMilliseconds: 3_600_000, connections: 2, sessions: 3, basesResident: 1, segments: 5,
                    segmentBytes: 13_421_772_800, budgetBytes: 17_179_869_184, cacheHits: 10, cacheMisses: 4,
                    adapters: 2, storeBytes: 132_120_576)))),
    Sample(
        name: "verify_reply", description: "VERIFY_REPLY: 12 checked, 1 problem (watercolor@1 checksum)",
        requestID: 23,
        message: .server(
            .verify(
                VerifyReply(
                    checked: 12, problemCount: 1,
                    problems: [
                        VerifyProblem(subject: "watercolor@1", message: "tensor 17: SHA-256 mismatch; re-import it")
                    ])))),
    Sample(
        name: "gc_reply", description: "GC_REPLY: 2 blobs, 4096 bytes", requestID: 24,
        message: .server(.gc(GCReply(blobsRemoved: 2, bytesFreed: 4096)))),
    Sample(
        name: "shutting_down_event", description: "SHUTTING_DOWN event: 5000 ms grace, reason SIGTERM",
        requestID: 0, message: .server(.shuttingDown(ShuttingDownEvent(graceMilliseconds: 5000, reason: "SIGTERM")))),
    Sample(
        name: "error_reply", description: "ERROR reply to request 14: not_found (100)", requestID: 14,
        message: .server(
            .error(ErrorPayload(code: .notFound, message: "no adapter named \"disney\"; see loractl list")))),
    Sample(
        name: "error_reply_output_stalled", description: "ERROR reply to request 31: output_stalled (115, protocol 1.2)",
        requestID: 31,
        message: .server(
            .error(
                ErrorPayload(
                    code: .outputStalled,
                    message: "the output stalled: the client took no byte for 60s after 65536 bytes; read the pipe")))),
    Sample(
        name: "fatal_error", description: "FATAL for request 0: unsupported_version (3)", requestID: 0,
        message: .server(
            .fatal(
                ErrorPayload(
                    code: .unsupportedVersion, message: "client offers 2.0-2.1; this server speaks 1.0; upgrade lorad"))
        )),
    Sample(
        name: "fatal_too_many_connections",
        description: "FATAL at connect (request 0): too_many_connections (114), protocol 1.2", requestID: 0,
        message: .server(
            .fatal(
                ErrorPayload(
                    code: .tooManyConnections,
                    message: "uid 1000 has 2 connections to lorad open, the most one user may have (limits.connections_per_uid = 2); close one of them and retry, or ask an administrator to raise the limit"))
        )),
]
