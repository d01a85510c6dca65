import LoradSystem
import LoradWire

/// Who is asking: fixed for a connection after the handshake.
public struct PeerContext: Sendable, Hashable {
    /// The server's identifier for the connection, unique for the daemon's lifetime.
    public var connectionID: UInt64
    /// The peer's process id (from `SO_PEERCRED`).
    public var pid: Int32
    /// The peer's user id (from `SO_PEERCRED`).
    public var uid: UInt32
    /// The peer's primary group id (from `SO_PEERCRED`).
    public var gid: UInt32
    /// Whether the peer may use admin requests: root, the daemon's own uid, an admin uid, or a member
    /// of an admin group.
    public var isAdmin: Bool
    /// The protocol version negotiated at HELLO (replies carry only its fields).
    public var protocolVersion: ProtocolVersion = .first

    /// Creates a peer context from the credentials the server read at accept.
    public init(connectionID: UInt64, pid: Int32, uid: UInt32, gid: UInt32, isAdmin: Bool) {
        self.connectionID = connectionID
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.isAdmin = isAdmin
    }
}

/// A reply to one request: the message, and references to the descriptors it passes.
///
/// Every descriptor field of `message` (a segment's `fd`) holds the *number* of a descriptor in
/// ``descriptors``, and each held descriptor is named by exactly one field (one held twice,
/// twice). The encoder turns each field into the index the wire requires and attaches the
/// descriptors in that order. The server keeps ``descriptors`` until the frame is sent and
/// never closes them itself; a reply that breaks the convention is answered with ERROR
/// `internal` and its references are dropped at once.
public struct HandlerReply: Sendable {
    /// The reply message.
    public var message: ServerMessage
    /// The owners of the descriptors the message names (for example segments), kept until the
    /// frame is sent.
    public var descriptors: [any PassedDescriptor]

    /// Creates a reply passing `descriptors`, which the descriptor fields of `message` name by
    /// number.
    public init(_ message: ServerMessage, passing descriptors: [any PassedDescriptor] = []) {
        self.message = message
        self.descriptors = descriptors
    }

    /// The passed descriptors, in the order ``descriptors`` holds them (borrowed).
    public var fds: [FileDescriptor] { descriptors.map(\.fd) }
}

/// The daemon core as the server loop sees it. All methods are called on the loop thread and must not
/// block: heavy work (decompress, fuse, import, merge, export) runs on the core's own worker pool and
/// `reply` is then called from a worker thread (the server must make that thread-safe: queue + EventFD).
public protocol RequestHandling: AnyObject, Sendable {
    /// Handles one decoded request (not hello: the server does the handshake). `fds` are the descriptors
    /// that arrived with the frame, owned by the handler from now on: it closes them when it is done
    /// (or they close when the last reference goes). `reply` must be called exactly once.
    func handle(
        _ request: ClientMessage, requestID: UInt32, fds: OwnedDescriptors, peer: PeerContext,
        reply: @escaping @Sendable (HandlerReply) -> Void)
    /// A connection was accepted and admitted by the access policy (before its HELLO); called on
    /// the loop thread. ``connectionClosed(_:)`` follows when it goes.
    func connectionOpened(_ connectionID: UInt64)
    /// The connection is gone: cancel its pending work, close its sessions, drop its segment references.
    func connectionClosed(_ connectionID: UInt64)
    /// Figures for STATUS= and the stats request.
    func statusLine() -> String
}
