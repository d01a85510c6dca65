import Logging
import LoradSystem
import LoradWire
import Synchronization

/// The daemon's socket side: one event-loop thread that accepts clients, checks who they
/// are, speaks the framing and HELLO, and hands requests to a ``RequestHandling`` core.
///
/// ```swift
/// let server = try Server(settings: settings, handler: core, logger: logger)
/// // from a signal thread, later: server.stop(grace: .seconds(10), reason: "SIGTERM")
/// try server.run()   // blocks until stopped and every connection is closed
/// ```
///
/// `init` creates (or adopts) the listening socket, so clients may connect — they wait in
/// the backlog — before ``run()`` starts. ``run()`` runs the loop on the calling thread;
/// ``stop(grace:reason:)`` may be called from any thread, before or during ``run()``.
/// Handler methods are called on the loop thread; `reply` closures may be called from any
/// thread (they queue the reply and wake the loop through an eventfd).
public final class Server: Sendable {
    /// The settings the server was created with (see ``currentSettings`` for the access
    /// rules and connection limits in force after ``update(access:connection:admission:)``).
    public let settings: ServerSettings
    /// Live counters.
    public let statistics = ServerStatistics()
    /// The path of the socket the server bound, `nil` for an adopted socket.
    public let socketPath: String?

    let handler: any RequestHandling
    let logger: Logger
    let listener: UnixSocket
    let mailbox: CompletionMailbox
    /// The settings new connections get: ``settings`` with live updates applied.
    let live: Mutex<ServerSettings>
    private let runState = Mutex(RunState.idle)

    private enum RunState: Sendable {
        case idle, running, finished
    }

    /// Checks `settings`, then binds (or adopts) the listening socket and creates the
    /// wake-up eventfd.
    ///
    /// - Throws: ``ServerError/invalidSettings(_:)``; ``ServerError/listen(_:)`` when the
    ///   socket cannot be bound (`EADDRINUSE`: another daemon listens there; `EACCES`;
    ///   `ENOENT`: no such folder) or the adopted descriptor is not a listening AF_UNIX
    ///   stream socket; ``ServerError/eventLoop(_:)`` when the eventfd cannot be created.
    public init(
        settings: ServerSettings, handler: any RequestHandling, logger: Logger = Logger(label: "lorad.server")
    ) throws(ServerError) {
        if let problem = settings.validationProblem { throw .invalidSettings(problem) }
        let mailbox: CompletionMailbox
        do { mailbox = try CompletionMailbox() } catch { throw .eventLoop(error) }
        let listener: UnixSocket
        do {
            switch settings.listener {
            case .path(let path, let mode, let group):
                listener = try UnixSocket.listen(path: path, mode: FilePermissions(rawValue: mode), group: group)
                socketPath = path
            case .adopted(let fd):
                listener = try UnixSocket.adoptListening(fd: fd)
                socketPath = nil
            }
        } catch {
            throw .listen(error)
        }
        self.settings = settings
        self.live = Mutex(settings)
        self.handler = handler
        self.logger = logger
        self.listener = listener
        self.mailbox = mailbox
    }

    deinit {
        // A server that never ran still owns its listening socket.
        let neverRan = runState.withLock { $0 == .idle }
        if neverRan { closeListener() }
    }

    /// Runs the event loop on the calling thread until ``stop(grace:reason:)`` has been
    /// called and every connection is closed. The listening socket is closed (and its file
    /// removed, when the server bound it) as soon as the stop begins.
    ///
    /// - Throws: ``ServerError/alreadyRun`` on a second call; ``ServerError/eventLoop(_:)``
    ///   when epoll fails (then every connection is closed before it returns).
    public func run() throws(ServerError) {
        let mayRun = runState.withLock { state in
            guard state == .idle else { return false }
            state = .running
            return true
        }
        guard mayRun else { throw .alreadyRun }
        defer { runState.withLock { $0 = .finished } }
        let loop: ServerLoop
        do { loop = try ServerLoop(server: self) } catch {
            closeListener()
            throw .eventLoop(error)
        }
        try loop.run()
    }

    /// Stops the server, from any thread: it stops accepting, sends SHUTTING_DOWN (with
    /// `grace` and `reason`) to every client, answers new requests with `shutting_down`, lets
    /// requests in flight finish for up to `grace`, then answers the rest with
    /// `shutting_down` and closes. A connection closes as soon as nothing is in flight on it.
    /// Calling it again can only shorten the grace time.
    public func stop(grace: Duration = .zero, reason: String = "the server is stopping") {
        mailbox.requestStop(CompletionMailbox.StopRequest(grace: max(grace, .zero), reason: reason))
    }

    /// Closes the listening socket and removes the file the server bound.
    func closeListener() {
        do {
            try listener.close()
        } catch {
            logger.warning("closing the listening socket failed: \(error)")
        }
        if let socketPath { try? UnixSocket.removeSocketFile(atPath: socketPath) }
    }
}
