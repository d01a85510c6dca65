import LoradServer
import LoradWire

/// Where one request goes: who may send it, where it is answered, and the handler that
/// answers it. ``DaemonCore/route(of:)`` gives the route of every request in one exhaustive
/// switch, so a new request does not compile until it has all three.
struct RequestRoute: Sendable {
    /// Who may send the request.
    enum Access: Sendable, Equatable {
        /// Any peer the access policy lets connect.
        case anyPeer
        /// Administrators only (root, the daemon's user, `access.admin_uids` / `admin_groups`):
        /// the requests that change or check the shared store or memory.
        case admin
    }

    /// Where the request is answered.
    enum Execution: Sendable, Equatable {
        /// On the loop thread, before ``DaemonCore/handle(_:requestID:fds:peer:reply:)``
        /// returns: only in-memory work that never blocks.
        case inline
        /// On a worker of the core's pool; requests in the same lane run one after another in
        /// arrival order (`nil`: no lane).
        case worker(WorkerPool.Lane?)
    }

    /// Who may send the request.
    let access: Access
    /// Where the request is answered.
    let execution: Execution
    /// Answers the request; what it throws is reported as an ERROR reply.
    let handler: @Sendable (DaemonCore, RequestContext) throws -> HandlerReply

    init(
        _ access: Access, _ execution: Execution,
        handler: @escaping @Sendable (DaemonCore, RequestContext) throws -> HandlerReply
    ) {
        self.access = access
        self.execution = execution
        self.handler = handler
    }
}

extension DaemonCore {
    /// The route of `request`. One case per request and no `default:`: a request added to
    /// ``ClientMessage`` is a compile error here until it has an access rule, a place to run
    /// and a handler (one file per handler in `Requests/`).
    static func route(of request: ClientMessage) -> RequestRoute {
        switch request {
        case .hello(let hello):
            RequestRoute(.anyPeer, .inline) { core, _ in try core.hello(hello) }
        case .ping(let ping):
            RequestRoute(.anyPeer, .inline) { core, _ in core.ping(ping) }
        case .cancel(let cancel):
            RequestRoute(.anyPeer, .inline) { core, context in core.cancel(cancel, context) }
        case .listBases(let list):
            RequestRoute(.anyPeer, .inline) { core, context in core.listBases(list, context) }
        case .listAdapters(let list):
            RequestRoute(.anyPeer, .worker(nil)) { core, _ in HandlerReply(.listAdapters(try core.listAdapters(list))) }
        case .showAdapter(let show):
            RequestRoute(.anyPeer, .worker(nil)) { core, _ in HandlerReply(.showAdapter(try core.showAdapter(show))) }
        case .importAdapter(let importing):
            RequestRoute(.admin, .worker(.store)) { core, context in
                HandlerReply(.importAdapter(try core.importAdapter(importing, context)))
            }
        case .exportAdapter(let export):
            RequestRoute(.anyPeer, .worker(nil)) { core, context in
                HandlerReply(.exportAdapter(try core.exportAdapter(export, context)))
            }
        case .removeAdapter(let remove):
            RequestRoute(.admin, .worker(.store)) { core, _ in HandlerReply(.removeAdapter(try core.removeAdapter(remove))) }
        case .openSession(let open):
            RequestRoute(.anyPeer, .inline) { core, context in try core.openSession(open, peer: context.peer) }
        case .attach(let attach):
            RequestRoute(.anyPeer, .worker(.session(attach.sessionID))) { core, context in try core.attach(attach, context) }
        case .detach(let detach):
            RequestRoute(.anyPeer, .worker(.session(detach.sessionID))) { core, context in try core.detach(detach, context) }
        case .switchAdapters(let change):
            RequestRoute(.anyPeer, .worker(.session(change.sessionID))) { core, context in
                try core.switchAdapters(change, context)
            }
        case .closeSession(let close):
            RequestRoute(.anyPeer, .worker(.session(close.sessionID))) { core, context in
                HandlerReply(.closeSession(try core.closeSession(close, context)))
            }
        case .getSegments(let get):
            RequestRoute(.anyPeer, .worker(.session(get.sessionID))) { core, context in try core.getSegments(get, context) }
        case .merge(let merge):
            RequestRoute(.anyPeer, .worker(nil)) { core, context in HandlerReply(.merge(try core.merge(merge, context))) }
        case .evict(let evict):
            RequestRoute(.admin, .inline) { core, _ in HandlerReply(.evict(try core.evict(evict))) }
        case .stats:
            RequestRoute(.anyPeer, .worker(nil)) { core, _ in HandlerReply(.stats(try core.stats())) }
        case .verify(let verify):
            RequestRoute(.admin, .worker(nil)) { core, _ in HandlerReply(.verify(try core.verify(verify))) }
        case .gc(let gc):
            RequestRoute(.admin, .worker(.store)) { core, _ in HandlerReply(.gc(try core.collectGarbage(gc))) }
        }
    }
}
