import Dispatch
import LoradAdapters
import LoradServer
import LoradStore
import LoradSystem
import LoradWire
import Synchronization

/// The daemon's request handler: bases in shared memory, the adapter store, sessions and
/// the segment cache, behind the ``RequestHandling`` seam the server loop calls.
///
/// Threads: ``handle(_:requestID:fds:peer:reply:)`` never blocks. Requests that only read or
/// change the in-memory state (ping, cancel, list bases, open session, evict) are answered
/// before it returns; everything else runs on the core's ``WorkerPool`` (at most
/// ``CoreOptions/threads`` at once) and `reply` is called from a worker thread. Requests
/// naming one session run one after another in arrival order; import, remove and gc run
/// one after another too. One lock (``CoreState``) protects the state; segments are built
/// outside it and committed under it, so a switch is atomic for its session and leaves every
/// other session alone. A segment is built by one request at a time: others needing it wait
/// on their worker thread and share it (``SegmentBuild``).
///
/// Use: `let core = try DaemonCore(storeRoot: ..., options: ...)`, then
/// `core.loadBases([(name, path), ...])` (bases load in the background; requests naming a
/// loading base get `not_ready`), then hand `core` to the server.
public final class DaemonCore: RequestHandling {
    /// The adapter store.
    public let store: AdapterStore
    /// The options the core was made with.
    public let options: CoreOptions

    let state: Mutex<CoreState>
    let pool: WorkerPool
    let memo: AdapterMemo
    let baseLoader = DispatchQueue(label: "lorad.bases")
    /// systemd's file descriptor store for base segments, once ``useFdStore(_:)`` set it.
    let fdStoreHolder = Mutex<BaseFdStore?>(nil)
    private let started = ContinuousClock.now

    /// A core over an open store.
    public init(store: AdapterStore, options: CoreOptions) {
        self.store = store
        self.options = options
        self.state = Mutex(CoreState(options: options))
        self.pool = WorkerPool(threads: options.threads)
        self.memo = AdapterMemo(maxEntries: options.decodedAdapterEntries, maxBytes: options.decodedAdapterBytes)
    }

    /// A core over the store at `storeRoot` (created when missing).
    /// - Throws: what ``AdapterStore/open(root:readOnly:busyTimeoutMilliseconds:)`` throws.
    public convenience init(storeRoot: String, options: CoreOptions) throws {
        self.init(store: try AdapterStore.open(root: storeRoot), options: options)
    }

    /// Milliseconds since the core was made.
    var uptimeMilliseconds: UInt64 {
        let elapsed = ContinuousClock.now - started
        let (seconds, attoseconds) = elapsed.components
        return UInt64(max(0, seconds)) * 1000 + UInt64(max(0, attoseconds) / 1_000_000_000_000_000)
    }

    // MARK: RequestHandling

    /// Handles one request (see ``RequestHandling``). Closes every descriptor in `fds` once
    /// it is done with them, on every path.
    public func handle(
        _ request: ClientMessage, requestID: UInt32, fds: [FileDescriptor], peer: PeerContext,
        reply: @escaping @Sendable (HandlerReply) -> Void
    ) {
        state.withLock { _ = $0.connections.insert(peer.connectionID) }
        if let immediate = answerImmediately(request, peer: peer) {
            DaemonCore.close(fds)
            reply(immediate)
            return
        }
        if DaemonCore.needsAdmin(request), !peer.isAdmin {
            DaemonCore.close(fds)
            reply(HandlerReply(WireError(.permissionDenied, "\(request.opcode) needs admin rights (root, the daemon's user, or access.admin_uids / admin_groups); run it as an administrator").reply))
            return
        }
        let token = RequestToken(connectionID: peer.connectionID, requestID: requestID)
        let key = CoreState.PendingKey(connectionID: peer.connectionID, requestID: requestID)
        state.withLock { $0.pending[key] = token }
        let context = RequestContext(requestID: requestID, peer: peer, fds: fds, token: token)
        pool.submit(lane: DaemonCore.lane(of: request)) { [self] in
            let outcome: Result<HandlerReply, WireError>
            do {
                try token.check()
                outcome = .success(try perform(request, context))
            } catch {
                outcome = .failure(WireError(reporting: error))
            }
            DaemonCore.close(fds)
            state.withLock { state in
                if state.pending[key] === token { state.pending[key] = nil }
            }
            guard token.claim() else {
                reply(HandlerReply(WireError.cancelled.reply))
                return
            }
            switch outcome {
            case .success(let answer): reply(answer)
            case .failure(let error): reply(HandlerReply(error.reply))
            }
        }
    }

    /// Registers a connection at accept, so that STATS counts it before its first request
    /// (optional: a connection is also counted from its first request on).
    public func connectionOpened(_ connectionID: UInt64) {
        state.withLock { _ = $0.connections.insert(connectionID) }
    }

    /// Cancels the connection's pending work, closes its sessions and releases their segment
    /// references.
    public func connectionClosed(_ connectionID: UInt64) {
        let tokens: [RequestToken] = state.withLock { state in
            let mine = state.pending.filter { $0.key.connectionID == connectionID }
            for key in mine.keys { state.pending[key] = nil }
            state.release(state.sessions.closeAll(connectionID: connectionID))
            state.dropUnusedRemovedBases()
            state.connections.remove(connectionID)
            return Array(mine.values)
        }
        for token in tokens { token.cancel() }
    }

    // MARK: Dispatch

    /// The answer to requests that need no worker, or nil.
    private func answerImmediately(_ request: ClientMessage, peer: PeerContext) -> HandlerReply? {
        switch request {
        case .hello:
            return HandlerReply(WireError(.invalidArgument, "HELLO is answered by the server during the handshake; send it once, first").reply)
        case .ping(let ping):
            return HandlerReply(.ping(PingReply(token: ping.token)))
        case .cancel(let cancel):
            let key = CoreState.PendingKey(connectionID: peer.connectionID, requestID: cancel.targetRequestID)
            let token = state.withLock { $0.pending[key] }
            return HandlerReply(.cancel(CancelReply(wasPending: token?.cancel() ?? false)))
        case .listBases:
            let withOrigin = peer.protocolVersion >= .baseOrigin
            return HandlerReply(.listBases(ListBasesReply(bases: state.withLock { $0.bases.map { $0.info(withOrigin: withOrigin) } })))
        case .openSession(let open):
            return Self.answer { () throws in try openSession(open, peer: peer) }
        case .evict(let evict) where peer.isAdmin:
            return Self.answer { () throws in HandlerReply(.evict(try self.evict(evict))) }
        default:
            return nil
        }
    }

    /// Runs one worker request.
    private func perform(_ request: ClientMessage, _ context: RequestContext) throws -> HandlerReply {
        switch request {
        case .listAdapters(let list): return HandlerReply(.listAdapters(try listAdapters(list)))
        case .showAdapter(let show): return HandlerReply(.showAdapter(try showAdapter(show)))
        case .importAdapter(let importing): return HandlerReply(.importAdapter(try importAdapter(importing, context)))
        case .exportAdapter(let export): return HandlerReply(.exportAdapter(try exportAdapter(export, context)))
        case .removeAdapter(let remove): return HandlerReply(.removeAdapter(try removeAdapter(remove)))
        case .attach(let attach): return try self.attach(attach, context)
        case .detach(let detach): return try self.detach(detach, context)
        case .switchAdapters(let change): return try switchAdapters(change, context)
        case .closeSession(let close): return HandlerReply(.closeSession(try closeSession(close, context)))
        case .getSegments(let get): return try getSegments(get, context)
        case .merge(let merge): return HandlerReply(.merge(try self.merge(merge, context)))
        case .evict(let evict): return HandlerReply(.evict(try self.evict(evict)))
        case .stats: return HandlerReply(.stats(try stats()))
        case .verify(let verify): return HandlerReply(.verify(try self.verify(verify)))
        case .gc(let gc): return HandlerReply(.gc(try collectGarbage(gc)))
        case .hello, .ping, .cancel, .listBases, .openSession:
            return HandlerReply(WireError(.internal, "\(request.opcode) reached a worker; this is a lorad bug").reply)
        }
    }

    /// Wraps a throwing immediate answer.
    private static func answer(_ body: () throws -> HandlerReply) -> HandlerReply {
        do { return try body() } catch { return HandlerReply(WireError(reporting: error).reply) }
    }

    /// Requests that need admin rights: the ones that change the shared store or memory.
    static func needsAdmin(_ request: ClientMessage) -> Bool {
        switch request {
        case .importAdapter, .removeAdapter, .evict, .verify, .gc: true
        default: false
        }
    }

    /// The serial lane a worker request runs in.
    static func lane(of request: ClientMessage) -> WorkerPool.Lane? {
        switch request {
        case .attach(let r): .session(r.sessionID)
        case .detach(let r): .session(r.sessionID)
        case .switchAdapters(let r): .session(r.sessionID)
        case .closeSession(let r): .session(r.sessionID)
        case .getSegments(let r): .session(r.sessionID)
        case .importAdapter, .removeAdapter, .gc: .store
        default: nil
        }
    }

    /// Closes descriptors the core owns, ignoring errors (nothing useful can be done).
    static func close(_ fds: [FileDescriptor]) {
        for fd in fds { try? fd.close() }
    }
}
