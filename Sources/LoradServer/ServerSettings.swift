import LoradSystem

/// Everything the ``Server`` needs to know, in its own terms. The integrator fills it from
/// the daemon's config (`socket`, `socket_mode`, `socket_group`, `[access]`, `[limits]`), which keeps the server
/// independent of the config format.
public struct ServerSettings: Sendable, Hashable {
    /// Where the listening socket comes from.
    public enum Listener: Sendable, Hashable {
        /// Bind a new socket at this absolute path (at most 107 bytes), give the file to
        /// `group` (a gid; nil keeps the group it gets when bound) and set its permission
        /// bits to `mode` (e.g. `0o660`), all before it listens. A socket file left by a
        /// crashed daemon is replaced; a live one (something accepts connections there) is
        /// an error. The server removes the file when it stops.
        case path(String, mode: UInt32, group: UInt32? = nil)
        /// Use this socket, already bound and listening (socket activation). The server takes
        /// ownership and closes it when it stops, but never removes its path.
        case adopted(FileDescriptor)
    }

    /// Where the listening socket comes from.
    public var listener: Listener
    /// Who may connect and administer.
    public var access: AccessPolicy
    /// Limits announced in HELLO and the timeouts enforced per connection.
    public var connection: ConnectionSettings
    /// Bytes of replies a connection may have queued for a peer that does not read; past it
    /// the connection is dropped, so that one stalled client cannot hold the daemon's memory.
    /// Must be at least `connection.frameLimits.maxFrameBytes`.
    public var maxQueuedBytesPerConnection: Int
    /// How many connections the server keeps, per uid and in all, and the slots reserved for
    /// root and admins. Peers over a limit get FATAL `too_many_connections` at connect; at
    /// ``AdmissionLimits/acceptCeiling`` the server stops accepting (new clients wait in the
    /// kernel's backlog) until one closes. Live: ``Server/update(access:connection:admission:)``.
    public var admission: AdmissionLimits
    /// How long a closing connection may take to receive its last frames (a FATAL, the
    /// SHUTTING_DOWN event) before it is closed anyway.
    public var closeLinger: Duration
    /// Bytes read per `recvmsg` (at least 4096).
    public var receiveBufferBytes: Int

    /// Creates settings with the daemon's defaults for everything but the listener and access.
    public init(
        listener: Listener,
        access: AccessPolicy,
        connection: ConnectionSettings = ConnectionSettings(),
        maxQueuedBytesPerConnection: Int = 8 << 20,
        admission: AdmissionLimits = .defaults,
        closeLinger: Duration = .seconds(2),
        receiveBufferBytes: Int = 64 << 10
    ) {
        self.listener = listener
        self.access = access
        self.connection = connection
        self.maxQueuedBytesPerConnection = maxQueuedBytesPerConnection
        self.admission = admission
        self.closeLinger = closeLinger
        self.receiveBufferBytes = receiveBufferBytes
    }

    /// What is out of range, as a one-line message, or `nil` when the settings are usable.
    public var validationProblem: String? {
        if let problem = connection.validationProblem { return problem }
        if Int(connection.frameLimits.maxFDsPerFrame) > UnixSocket.maximumFDsPerMessage {
            return "max fds per frame \(connection.frameLimits.maxFDsPerFrame) is more than the \(UnixSocket.maximumFDsPerMessage) descriptors one sendmsg/recvmsg carries here; announce at most \(UnixSocket.maximumFDsPerMessage)"
        }
        if maxQueuedBytesPerConnection < Int(connection.frameLimits.maxFrameBytes) {
            return "the outbound queue limit (\(maxQueuedBytesPerConnection) bytes) must hold at least one frame (\(connection.frameLimits.maxFrameBytes) bytes)"
        }
        if case .path(_, let mode, _) = listener, mode > 0o777 {
            return "socket mode 0o\(String(mode, radix: 8)) has bits beyond 0o777; use permission bits only, e.g. 0o660"
        }
        if let problem = admission.validationProblem { return problem }
        if closeLinger < .zero { return "close linger must not be negative" }
        if receiveBufferBytes < 4096 || receiveBufferBytes > 16 << 20 {
            return "receive buffer of \(receiveBufferBytes) bytes is outside 4096...16777216"
        }
        return nil
    }
}
