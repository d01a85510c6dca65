/// How many connections the server keeps, and how they are shared between users: the
/// `limits.max_connections`, `limits.connections_per_uid` and `limits.reserved_connections`
/// settings, in the server's terms (pure values; ``ConnectionAdmission`` applies them).
///
/// Ordinary peers may hold ``maxConnections`` connections in all, at most
/// ``connectionsPerUID`` of them per uid. Privileged peers (root, the daemon's own uid and
/// admins, as the access policy says) are exempt from the per-uid limit and may also use
/// ``reservedConnections`` slots beyond ``maxConnections``, so that a user holding every
/// ordinary slot cannot lock out the administrators (as PostgreSQL's
/// `superuser_reserved_connections`). The server accepts sockets up to
/// ``acceptCeiling`` and refuses an over-limit peer, once its credentials are known, with
/// FATAL `too_many_connections`.
public struct AdmissionLimits: Sendable, Hashable {
    /// Connections open at most for ordinary peers, privileged ones included in the count.
    public var maxConnections: Int
    /// Connections one ordinary uid may have open at most.
    public var connectionsPerUID: Int
    /// Slots beyond ``maxConnections`` that only privileged peers may use.
    public var reservedConnections: Int

    /// The daemon's defaults: 1024 connections, 256 per uid, 8 reserved.
    public static let defaults = AdmissionLimits(maxConnections: 1024, connectionsPerUID: 256, reservedConnections: 8)

    /// Descriptors the daemon keeps besides its connections' sockets and what they bring
    /// (the listening socket, epoll, eventfd, the store's SQLite and blob files, bases,
    /// cached segments' memfds, the journal), counted in ``descriptorsNeeded``.
    public static let descriptorHeadroom = 4096
    /// Descriptors one connection may hold at once in ``descriptorsNeeded``: its socket and
    /// the files of one request being read (an IMPORT passes at most 16).
    public static let descriptorsPerConnection = 1 + 16

    /// Makes limits from explicit values (see ``validationProblem`` for the ranges).
    public init(maxConnections: Int, connectionsPerUID: Int, reservedConnections: Int) {
        self.maxConnections = maxConnections
        self.connectionsPerUID = connectionsPerUID
        self.reservedConnections = reservedConnections
    }

    /// Sockets the server holds at most: ``maxConnections`` + ``reservedConnections``. At
    /// this count it stops accepting (new clients wait in the kernel's listen backlog) until
    /// one closes.
    public var acceptCeiling: Int { maxConnections.addingReportingOverflow(reservedConnections).partialValue }

    /// The soft `RLIMIT_NOFILE` these limits need: ``acceptCeiling`` connections of
    /// ``descriptorsPerConnection`` each, plus ``descriptorHeadroom``. With the defaults,
    /// (1024 + 8) * 17 + 4096 = 21640.
    public var descriptorsNeeded: Int {
        let (perConnections, overflow) = acceptCeiling.multipliedReportingOverflow(by: Self.descriptorsPerConnection)
        let (total, overflowAgain) = perConnections.addingReportingOverflow(Self.descriptorHeadroom)
        return overflow || overflowAgain ? Int.max : total
    }

    /// Why the next peer may not stay, or `nil` when it may: a privileged peer is refused
    /// only when ``acceptCeiling`` connections are open; an ordinary one when ``maxConnections``
    /// are, or when its uid already has ``connectionsPerUID`` (the per-uid limit is checked
    /// first, since it is the one its user can do something about).
    ///
    /// - Parameters:
    ///   - uid: the peer's uid (`SO_PEERCRED`).
    ///   - privileged: whether the access policy makes it an admin (root, the daemon's uid, admins).
    ///   - open: connections admitted and still open, privileged ones included.
    ///   - openByUID: of those, the ones of `uid`.
    public func refusal(uid: UInt32, privileged: Bool, open: Int, openByUID: Int) -> AdmissionRefusal? {
        if privileged {
            return open >= acceptCeiling ? .serverFull(open: open, limit: acceptCeiling, reserved: true) : nil
        }
        if openByUID >= connectionsPerUID { return .uidLimit(uid: uid, open: openByUID, limit: connectionsPerUID) }
        if open >= maxConnections { return .serverFull(open: open, limit: maxConnections, reserved: false) }
        return nil
    }

    /// What is out of range, as a one-line message, or `nil` when the limits are usable: at
    /// least one connection and one per uid, no negative reserve.
    public var validationProblem: String? {
        if maxConnections < 1 { return "max connections must be at least 1" }
        if connectionsPerUID < 1 { return "connections per uid must be at least 1" }
        if reservedConnections < 0 { return "reserved connections must not be negative" }
        return nil
    }
}
