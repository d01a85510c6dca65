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
/// ``CoreOptions/threads`` at once, and at most ``CoreOptions/workersPerUID`` of one uid's)
/// and `reply` is called from a worker thread. Requests
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
    /// How long EXPORT and MERGE wait for a client to take more of its output
    /// (``CoreOptions/outputStallTimeout``; a reload may change it).
    private let stallTimeout: Mutex<Duration>
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
        self.pool = WorkerPool(
            threads: options.threads, ownerCap: WorkerPool.ownerCap(configured: options.workersPerUID, threads: options.threads))
        self.stallTimeout = Mutex(options.outputStallTimeout)
        self.memo = AdapterMemo(maxEntries: options.decodedAdapterEntries, maxBytes: options.decodedAdapterBytes)
    }

    /// A core over the store at `storeRoot` (created when missing).
    /// - Throws: what ``AdapterStore/open(root:readOnly:busyTimeoutMilliseconds:)`` throws.
    public convenience init(storeRoot: String, options: CoreOptions) throws {
        self.init(store: try AdapterStore.open(root: storeRoot), options: options)
    }

    /// The stall timeout an EXPORT or MERGE starting now gets.
    var outputStallTimeout: Duration { stallTimeout.withLock { $0 } }

    /// Applies reloadable limits: the stall timeout (to EXPORT and MERGE that start from now)
    /// and the per-uid worker cap (`workersPerUID`, 0 for `threads - 1`; running requests go
    /// on, and a uid over a lowered cap gets no new request started until it is under it).
    public func updateLimits(outputStallTimeout: Duration, workersPerUID: Int) {
        stallTimeout.withLock { $0 = outputStallTimeout }
        pool.setOwnerCap(WorkerPool.ownerCap(configured: workersPerUID, threads: pool.threads))
    }

    /// Milliseconds since the core was made.
    var uptimeMilliseconds: UInt64 {
        (ContinuousClock.now - started).whole(.milliseconds)
    }

    // MARK: RequestHandling

    /// Handles one request (see ``RequestHandling``). Closes every descriptor in `fds` once
    /// it is done with them, on every path.
    public func handle(
        _ request: ClientMessage, requestID: UInt32, fds: OwnedDescriptors, peer: PeerContext,
        reply: @escaping @Sendable (HandlerReply) -> Void
    ) {
        state.withLock { _ = $0.connections.insert(peer.connectionID) }
        let route = DaemonCore.route(of: request)
        if route.access == .admin, !peer.isAdmin {
            fds.close()
            reply(HandlerReply(WireError(reporting: RequestError.needsAdmin(request: "\(request.opcode)")).reply(for: peer.protocolVersion)))
            return
        }
        let token = RequestToken(connectionID: peer.connectionID, requestID: requestID)
        let context = RequestContext(requestID: requestID, peer: peer, fds: fds, token: token)
        guard case .worker(let lane) = route.execution else {
            let answer: HandlerReply
            do {
                answer = try route.handler(self, context)
            } catch {
                answer = HandlerReply(WireError(reporting: error).reply(for: peer.protocolVersion))
            }
            fds.close()
            reply(answer)
            return
        }
        let key = CoreState.PendingKey(connectionID: peer.connectionID, requestID: requestID)
        state.withLock { $0.pending[key] = token }
        // Every worker request counts against its uid's cap (limits.workers_per_uid), root's
        // and admins' too: over the cap it waits without holding a worker.
        pool.submit(lane: lane, owner: peer.uid, isCancelled: { token.isCancelled }) { [self] in
            let outcome: Result<HandlerReply, WireError>
            do {
                try token.check()
                outcome = .success(try route.handler(self, context))
            } catch {
                outcome = .failure(WireError(reporting: error))
            }
            fds.close()
            state.withLock { state in
                if state.pending[key] === token { state.pending[key] = nil }
            }
            guard token.claim() else {
                reply(HandlerReply(WireError.cancelled.reply))
                return
            }
            switch outcome {
            case .success(let answer): reply(answer)
            case .failure(let error): reply(HandlerReply(error.reply(for: peer.protocolVersion)))
            }
        }
    }

    /// Registers a connection the server admitted, so that STATS counts it from then on, idle
    /// or not (a request from a connection not registered, as in tests that call the core
    /// directly, registers it too).
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
        pool.startCancelled()
    }
}
