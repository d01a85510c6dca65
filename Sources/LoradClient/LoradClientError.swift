import LoradSystem
import LoradWire

/// Why a `LoradConnection` call failed.
///
/// Three families, told apart by `isRequestError` and `isConnectionFailure`:
/// - `server`: lorad answered this one request with an ERROR reply (code, name, message);
///   nothing it would have changed was changed and the connection goes on.
/// - `fatal`, `protocolViolation`, `connectionClosed`, `system`, `notConnected`: the
///   connection is unusable; every later call on it fails the same way. Open a new one.
/// - `daemonUnavailable`, `permissionDenied`, `timedOut`: `connect` could not reach the
///   daemon at all, or it did not answer in time.
///
/// `invalidRequest` and `invalidSegment` are caught on this side before anything is sent
/// (or after a reply, for a segment that cannot be mapped) and leave the connection usable.
public enum LoradClientError: Error, Sendable, CustomStringConvertible {
    /// The server answered the request (`opcode`) with an ERROR reply. Its `ErrorPayload`
    /// carries the stable numeric code, its name and a one-line message.
    case server(ErrorPayload, request: Opcode)
    /// The server sent a FATAL error (a protocol violation it blames on this client) and
    /// closed the connection.
    case fatal(ErrorPayload)
    /// Nothing answers at `path`: no socket file (`ENOENT`) or a stale one (`ECONNREFUSED`).
    case daemonUnavailable(path: String, SystemError)
    /// The socket at `path`, or its folder, does not admit this user (`EACCES`/`EPERM`).
    case permissionDenied(path: String, SystemError)
    /// `connect` gave up after `timeout`: the daemon at `path` accepted no connection
    /// (`stage` `.connect`: its listen backlog stayed full) or did not answer HELLO
    /// (`.handshake`). Requests after the handshake have no timeout.
    case timedOut(path: String, timeout: Duration, stage: TimeoutStage)
    /// A system call on the connection failed (send, receive, connect with another errno).
    case system(SystemError)
    /// The server ended the stream; `detail` says when (between frames or mid-frame).
    case connectionClosed(String)
    /// The server sent something this client cannot accept (a malformed frame, a reply to
    /// no pending request, a reply of the wrong kind); the client closed the connection.
    case protocolViolation(WireError)
    /// The request was not sent: a field breaks the protocol's rules (name grammar, a bound,
    /// a non-finite weight) or the frame would exceed the server's limits. The connection
    /// goes on.
    case invalidRequest(String)
    /// A segment the server passed cannot be mapped (its size disagrees with its
    /// descriptor, or it is larger than this process can address). The connection goes on.
    case invalidSegment(String)
    /// The connection was closed by `close()`.
    case notConnected

    /// The server's error code for `server` and `fatal` errors (nil for a code newer than
    /// this build and for every other case).
    public var code: ErrorCode? {
        switch self {
        case .server(let payload, _), .fatal(let payload): payload.code
        case .daemonUnavailable, .permissionDenied, .timedOut, .system, .connectionClosed, .protocolViolation, .invalidRequest,
             .invalidSegment, .notConnected:
            nil
        }
    }

    /// The server's error name for `server` and `fatal` errors (as sent, so codes newer than
    /// this build still have one), nil otherwise.
    public var errorName: String? {
        switch self {
        case .server(let payload, _), .fatal(let payload): payload.name
        case .daemonUnavailable, .permissionDenied, .timedOut, .system, .connectionClosed, .protocolViolation, .invalidRequest,
             .invalidSegment, .notConnected:
            nil
        }
    }

    /// Whether only this request failed and the connection is still usable.
    public var isRequestError: Bool {
        switch self {
        case .server, .invalidRequest, .invalidSegment: true
        case .fatal, .daemonUnavailable, .permissionDenied, .timedOut, .system, .connectionClosed, .protocolViolation, .notConnected:
            false
        }
    }

    /// Whether the daemon could not be reached or the connection broke.
    public var isConnectionFailure: Bool { !isRequestError }

    /// One line for humans: what went wrong and what to do.
    public var description: String {
        switch self {
        case .server(let payload, let request):
            "\(request.wireName) failed: \(payload.message) (\(payload.name))"
        case .fatal(let payload) where payload.code == .unsupportedVersion:
            "lorad speaks another protocol version: \(payload.message) (\(payload.name)); use loractl and lorad from the same release"
        case .fatal(let payload) where payload.code == .permissionDenied:
            "lorad refused the connection: \(payload.message) (\(payload.name))"
        case .fatal(let payload) where payload.code == .tooManyConnections:
            "lorad refused the connection: \(payload.message) (\(payload.name))"
        case .fatal(let payload):
            "lorad closed the connection: \(payload.message) (\(payload.name)); this client broke the protocol, please report it"
        case .daemonUnavailable(let path, let error):
            "daemon unavailable at \(path): is lorad running? (systemctl start lorad.socket) [\(error.errnoName)]"
        case .permissionDenied(let path, let error):
            "permission denied connecting to \(path): ask an administrator to add you to the lorad group or to the daemon's allowed users [\(error.errnoName)]"
        case .timedOut(let path, let timeout, let stage):
            "lorad at \(path) did not answer within \(Self.seconds(timeout)) (\(stage.waitedFor)): it may be stuck, overloaded or at its connection limit; check `systemctl status lorad` and `journalctl -u lorad`, or allow more time (loractl --timeout)"
        case .system(let error):
            "connection to lorad failed: \(error)"
        case .connectionClosed(let detail):
            "lorad closed the connection \(detail); reconnect (is the daemon restarting?)"
        case .protocolViolation(let error):
            "lorad sent a reply this client cannot accept, connection closed: \(error); check that loractl and lorad are the same release"
        case .invalidRequest(let reason):
            "request not sent: \(reason)"
        case .invalidSegment(let reason):
            "cannot map a segment lorad sent: \(reason)"
        case .notConnected:
            "the connection to lorad is closed; open a new one"
        }
    }

    /// Which part of `connect` timed out (``timedOut(path:timeout:stage:)``).
    public enum TimeoutStage: Sendable, Hashable {
        /// The daemon accepted no connection (its listen backlog stayed full).
        case connect
        /// The daemon accepted the connection but sent no HELLO reply.
        case handshake

        /// What the client waited for, for messages.
        var waitedFor: String {
            switch self {
            case .connect: "it accepted no connection"
            case .handshake: "no reply to the handshake"
            }
        }
    }

    /// `10s`, `2.5s`: a timeout for messages, to the millisecond.
    private static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.whole(.milliseconds)
        let fraction = milliseconds % 1000
        guard fraction != 0 else { return "\(milliseconds / 1000)s" }
        var decimals = String(fraction + 1000).dropFirst()
        while decimals.hasSuffix("0") { decimals = decimals.dropLast() }
        return "\(milliseconds / 1000).\(decimals)s"
    }
}
