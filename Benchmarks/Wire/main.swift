// Wire codec micro-benchmark. Compiled into the LoradWire module by run.sh (swiftc -O -wmo),
// so it needs no Package.swift target. Prints throughput; asserts nothing.
#if canImport(Glibc)
    import Glibc
#endif

func seconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

func measure(_ name: String, iterations: Int, _ body: () throws -> Int) rethrows {
    var sink = 0
    let start = seconds()
    for _ in 0..<iterations { sink &+= try body() }
    let elapsed = seconds() - start
    let microseconds = (elapsed / Double(iterations) * 1e8).rounded() / 100
    print("\(name): \(Int(Double(iterations) / elapsed))/s, \(microseconds) us each (checksum \(sink))")
}

let names = (0..<8).map { "adapter-\($0)" }
let request = ClientMessage.switchAdapters(
    SwitchRequest(sessionID: 42, adapters: names.map { WeightedAdapter(adapter: AdapterRef(name: $0), weight: 0.5) }))
let reply = ServerMessage.switchAdapters(
    SessionReply(
        sessionID: 42, base: "cogvideox-5b", mode: .factors, generation: 3,
        active: names.map { ActiveAdapter(name: $0, version: 1, weight: 0.5) },
        segments: [SegmentDescriptor(kind: .base, segmentID: 1, byteSize: 1 << 34, fd: 3)]
            + (0..<8).map {
                SegmentDescriptor(
                    kind: .factors, segmentID: UInt64(10 + $0), byteSize: 1 << 27, fd: Int32(4 + $0),
                    adapterIndex: UInt16($0))
            }))

let encodedRequest = try request.encode(requestID: 1)
let encodedReply = try reply.encode(requestID: 1)
print(
    "SWITCH (8 adapters): \(encodedRequest.bytes.count) bytes; SWITCH_REPLY (8 adapters, 9 segments): \(encodedReply.bytes.count) bytes"
)

try measure("encode SWITCH", iterations: 200_000) { try request.encode(requestID: 1).bytes.count }
try measure("encode SWITCH_REPLY", iterations: 200_000) { try reply.encode(requestID: 1).bytes.count }
try measure("frame + decode SWITCH", iterations: 200_000) {
    var decoder = FrameDecoder()
    decoder.feed(encodedRequest.bytes)
    guard let frame = try decoder.nextFrame(), case .switchAdapters(let r) = try ClientMessage(decoding: frame) else {
        return 0
    }
    return r.adapters.count
}
try measure("frame + decode SWITCH_REPLY", iterations: 200_000) {
    var decoder = FrameDecoder()
    decoder.feed(encodedReply.bytes, fds: encodedReply.fds)
    guard let frame = try decoder.nextFrame(), case .switchAdapters(let r) = try ServerMessage(decoding: frame) else {
        return 0
    }
    return r.segments.count
}
let pings = try (1...1000).flatMap {
    try ClientMessage.ping(PingRequest(token: UInt64($0))).encode(requestID: UInt32($0)).bytes
}
try measure("FrameDecoder: 1000 PING frames in 4 KiB chunks", iterations: 500) {
    var decoder = FrameDecoder()
    var count = 0
    var offset = 0
    while offset < pings.count {
        let end = min(offset + 4096, pings.count)
        decoder.feed(pings[offset..<end])
        offset = end
        while try decoder.nextFrame() != nil { count += 1 }
    }
    return count
}
