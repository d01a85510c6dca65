// Server event-loop benchmark (see run.sh). A Server with a trivial handler on a temp socket,
// clients on other threads of the same process. Prints throughput; asserts nothing.
import Dispatch
import Glibc
import Logging
import LoradServer
import LoradSystem
import LoradWire
import Synchronization

/// One sealed memfd the bench handler passes in every GET_SEGMENTS reply, like a cached
/// segment: open for the whole run.
final class BenchSegment: PassedDescriptor {
    let fd: FileDescriptor

    init(index: Int) throws {
        fd = try Memfd.create(name: "bench-\(index)")
        try fd.write(Array(repeating: UInt8(index), count: 4096))
        try Memfd.addSeals(.immutable, to: fd)
    }
}

/// Answers PING on the loop thread (token 0) or from a Dispatch worker (token 1), and
/// GET_SEGMENTS with `segmentCount` sealed memfds, like a session reply.
final class BenchHandler: RequestHandling {
    let segments: [BenchSegment]

    init(segmentCount: Int) throws {
        segments = try (0..<segmentCount).map(BenchSegment.init(index:))
    }

    func handle(
        _ request: ClientMessage, requestID: UInt32, fds: OwnedDescriptors, peer: PeerContext,
        reply: @escaping @Sendable (HandlerReply) -> Void
    ) {
        switch request {
        case .ping(let ping) where ping.token == 1:
            DispatchQueue.global().async { reply(HandlerReply(.ping(PingReply(token: 1)))) }
        case .ping(let ping):
            reply(HandlerReply(.ping(PingReply(token: ping.token))))
        case .getSegments(let get):
            let descriptors = segments.indices.map { index in
                SegmentDescriptor(
                    kind: index == 0 ? .base : .factors, segmentID: UInt64(index + 1), byteSize: 4096,
                    fd: segments[index].fd.rawValue, adapterIndex: index == 0 ? nil : UInt16(index - 1))
            }
            let active = (1..<max(1, segments.count)).map { ActiveAdapter(name: "a\($0)", version: 1, weight: 0.5) }
            let session = SessionReply(
                sessionID: get.sessionID, base: "base", mode: .factors, generation: 1, active: active, segments: descriptors)
            reply(HandlerReply(.getSegments(session), passing: segments))
        default:
            reply(HandlerReply(.error(ErrorPayload(code: .unsupported, message: "bench"))))
        }
        fds.close()
    }

    func connectionOpened(_ connectionID: UInt64) {}
    func connectionClosed(_ connectionID: UInt64) {}
    func statusLine() -> String { "" }
}

/// A blocking client that keeps `depth` requests in flight and counts answers.
func runClient(path: String, request: ClientMessage, depth: Int, until deadline: ContinuousClock.Instant) throws -> Int {
    let socket = try UnixSocket.connect(path: path)
    defer { try? socket.close() }
    var decoder = FrameDecoder(limits: FrameLimits(maxFrameBytes: 1 << 20, maxFDsPerFrame: 253))
    var buffer = [UInt8](repeating: 0, count: 65536)
    func next() throws -> Frame {
        while true {
            if let frame = try decoder.nextFrame() { return frame }
            let outcome = try buffer.withUnsafeMutableBytes { try socket.receive(into: $0, maxFDs: UnixSocket.maximumFDsPerMessage) }
            guard case .completed(let message) = outcome, !message.isEndOfStream else {
                throw SystemError(errno: ECONNRESET, operation: "bench receive")
            }
            decoder.feed(buffer[0..<message.byteCount], fds: message.fds.map(\.rawValue))
        }
    }
    let hello = try ClientMessage.hello(HelloRequest(minVersion: .current, maxVersion: .current, clientName: "bench"))
        .encode(requestID: 1)
    try socket.sendAll(hello.bytes)
    _ = try next()
    var window: [UInt8] = []
    for id in 1...depth { window += try request.encode(requestID: UInt32(id)).bytes }
    var answered = 0
    while ContinuousClock.now < deadline {
        try socket.sendAll(window)
        for _ in 0..<depth {
            let frame = try next()
            for fd in frame.fds { try? FileDescriptor(rawValue: fd).close() }
            answered += 1
        }
    }
    return answered
}

func scenario(_ name: String, path: String, clients: Int, depth: Int, request: ClientMessage, seconds: Int, server: Server) {
    let before = server.statistics.snapshot()
    let start = ContinuousClock.now
    let deadline = start.advanced(by: .seconds(seconds))
    let total = Mutex(0)
    let failures = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: clients) { _ in
        do {
            let count = try runClient(path: path, request: request, depth: depth, until: deadline)
            total.withLock { $0 += count }
        } catch {
            failures.withLock { $0.append("\(error)") }
        }
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let answered = total.withLock { $0 }
    let after = server.statistics.snapshot()
    let rate = Double(answered) / seconds
    let perRequest = seconds / Double(max(answered, 1)) * 1e6
    let frames = after.framesSent - before.framesSent
    print(
        "\(name): \(clients) clients x depth \(depth): \(Int(rate)) requests/s (\((perRequest * 100).rounded() / 100) us each, \(frames) frames sent)"
            + (failures.withLock { $0.isEmpty } ? "" : " FAILURES: \(failures.withLock { $0 })"))
}

let seconds = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 2 : 2
let folder = try DurableFile.makeTemporaryDirectory(prefix: "lorad-server-bench-")
let path = folder + "/bench.sock"
var logger = Logger(label: "bench")
logger.logLevel = .error
let handler = try BenchHandler(segmentCount: 9)
var settings = ServerSettings(listener: .path(path, mode: 0o600), access: AccessPolicy(daemonUID: geteuid()))
settings.connection.maxRequestsInFlight = 256
let server = try Server(settings: settings, handler: handler, logger: logger)
let done = DispatchSemaphore(value: 0)
DispatchQueue.global().async {
    do { try server.run() } catch { print("server failed: \(error)") }
    done.signal()
}

let ping = ClientMessage.ping(PingRequest(token: 0))
let workerPing = ClientMessage.ping(PingRequest(token: 1))
let segments = ClientMessage.getSegments(GetSegmentsRequest(sessionID: 1))
scenario("PING round trip", path: path, clients: 1, depth: 1, request: ping, seconds: seconds, server: server)
scenario("PING pipelined", path: path, clients: 1, depth: 32, request: ping, seconds: seconds, server: server)
scenario("PING pipelined", path: path, clients: 16, depth: 32, request: ping, seconds: seconds, server: server)
scenario("PING answered by a worker", path: path, clients: 1, depth: 1, request: workerPing, seconds: seconds, server: server)
scenario("PING answered by a worker", path: path, clients: 16, depth: 32, request: workerPing, seconds: seconds, server: server)
scenario("GET_SEGMENTS, 9 fds", path: path, clients: 1, depth: 1, request: segments, seconds: seconds, server: server)
scenario("GET_SEGMENTS, 9 fds", path: path, clients: 4, depth: 8, request: segments, seconds: seconds, server: server)
// Idle clients (HELLO done, nothing in flight) must not slow the others down.
var idle: [UnixSocket] = []
for _ in 0..<400 {
    let socket = try UnixSocket.connect(path: path)
    let hello = try ClientMessage.hello(HelloRequest(minVersion: .current, maxVersion: .current, clientName: "idle"))
        .encode(requestID: 1)
    try socket.sendAll(hello.bytes)
    idle.append(socket)
}
scenario("PING round trip beside 400 idle clients", path: path, clients: 1, depth: 1, request: ping, seconds: seconds, server: server)
for socket in idle { try? socket.close() }
server.stop()
done.wait()
try? DurableFile.removeTree(folder)
