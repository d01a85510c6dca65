import Dispatch
import LoradServer
import LoradSystem
import LoradWire
import Synchronization

/// Owns a sealed memfd for as long as a reply needs it, like a core's segment.
public final class SegmentHolder: PassedDescriptor {
    public let fd: FileDescriptor
    public init(fd: FileDescriptor) { self.fd = fd }
    deinit { try? fd.close() }
}

/// A RequestHandling for server tests.
///
/// - PING with a token below 1_000_000 is answered at once, on the loop thread; with
///   1_000_000 + n, from another thread after n milliseconds.
/// - GET_SEGMENTS is answered with one sealed memfd holding `segment <session id>`.
/// - EXPORT writes `exported <name>` to the passed descriptor and closes it.
/// - STATS is held until ``releaseHeld()``.
/// - LIST_BASES is answered with a reply of about 50 KiB (for slow-reader tests).
/// - Anything else gets ERROR `unsupported`.
public final class FakeHandler: RequestHandling {
    public struct Log: Sendable {
        public var requests: [(message: ClientMessage, requestID: UInt32, peer: PeerContext)] = []
        public var closed: [UInt64] = []
        public var opened: [UInt64] = []
    }

    public let log = Mutex(Log())
    private let held = Mutex<[@Sendable () -> Void]>([])

    /// A handler with nothing held and nothing logged.
    public init() {}

    public func handle(
        _ request: ClientMessage, requestID: UInt32, fds: OwnedDescriptors, peer: PeerContext,
        reply: @escaping @Sendable (HandlerReply) -> Void
    ) {
        log.withLock { $0.requests.append((request, requestID, peer)) }
        switch request {
        case .ping(let ping) where ping.token >= 1_000_000:
            let delay = Int(ping.token - 1_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(delay)) {
                reply(HandlerReply(.ping(PingReply(token: ping.token))))
            }
        case .ping(let ping):
            reply(HandlerReply(.ping(PingReply(token: ping.token))))
        case .getSegments(let request):
            do {
                let holder = try Self.segment(text: "segment \(request.sessionID)")
                let size = UInt64(try holder.fd.size())
                let session = SessionReply(
                    sessionID: request.sessionID, base: "base", mode: .factors, generation: 0, active: [],
                    segments: [SegmentDescriptor(kind: .base, segmentID: 1, byteSize: size, fd: holder.fd.rawValue)])
                reply(HandlerReply(.getSegments(session), passing: [holder]))
            } catch {
                reply(HandlerReply(.error(ErrorPayload(code: .internal, message: "\(error)"))))
            }
        case .exportAdapter(let export):
            let output = FileDescriptor(rawValue: export.output)
            try? output.write(Array("exported \(export.adapter.name)".utf8))
            reply(HandlerReply(.exportAdapter(ExportReply(bytesWritten: 0))))
        case .stats:
            held.withLock {
                $0.append {
                    reply(HandlerReply(.stats(StatsReply(
                        uptimeMilliseconds: 1, connections: 1, sessions: 0, basesResident: 0, segments: 0,
                        segmentBytes: 0, budgetBytes: 0, cacheHits: 0, cacheMisses: 0, adapters: 0, storeBytes: 0))))
                }
            }
        case .listBases:
            let bases = (0..<400).map {
                BaseInfo(name: "base-\($0)-" + String(repeating: "x", count: 100), state: .ready, byteSize: 1, tensorCount: 1)
            }
            reply(HandlerReply(.listBases(ListBasesReply(bases: bases))))
        default:
            reply(HandlerReply(.error(ErrorPayload(code: .unsupported, message: "the fake handler does not do \(request.opcode)"))))
        }
        fds.close()
    }

    public func connectionClosed(_ connectionID: UInt64) {
        log.withLock { $0.closed.append(connectionID) }
    }

    public func connectionOpened(_ connectionID: UInt64) {
        log.withLock { $0.opened.append(connectionID) }
    }

    public func statusLine() -> String { "fake" }

    /// Answers every held STATS request; returns how many there were.
    @discardableResult
    public func releaseHeld() -> Int {
        let replies = held.withLock { held in
            defer { held.removeAll() }
            return held
        }
        for reply in replies { reply() }
        return replies.count
    }

    public var heldCount: Int { held.withLock { $0.count } }
    public var closedConnections: [UInt64] { log.withLock { $0.closed } }
    public var requestCount: Int { log.withLock { $0.requests.count } }

    public static func segment(text: String) throws -> SegmentHolder {
        let fd = try Memfd.create(name: "fake-segment")
        let holder = SegmentHolder(fd: fd)
        try fd.write(Array(text.utf8))
        try Memfd.addSeals(.immutable, to: fd)
        return holder
    }
}
