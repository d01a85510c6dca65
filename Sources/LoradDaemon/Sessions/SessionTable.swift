import LoradWire

/// The open sessions: ids, ownership by connection and the per-uid limit. Pure; one owner
/// (the core's state lock).
public struct SessionTable: Sendable {
    /// The most sessions one uid may hold across its connections.
    public let limitPerUID: Int
    private var sessions: [UInt64: Session] = [:]
    private var nextID: UInt64 = 1

    /// An empty table with a per-uid limit (at least 1).
    public init(limitPerUID: Int) {
        self.limitPerUID = max(1, limitPerUID)
    }

    /// The number of open sessions.
    public var count: Int { sessions.count }

    /// Every open session, by id.
    public var all: [Session] { sessions.keys.sorted().compactMap { sessions[$0] } }

    /// Opens a session for `connectionID` (peer `uid`) on `base`.
    /// - Throws: ``SessionError/sessionLimit(uid:limit:)``.
    public mutating func open(connectionID: UInt64, uid: UInt32, base: String, mode: SessionMode) throws(SessionError) -> Session {
        let held = sessions.values.filter { $0.uid == uid }.count
        guard held < limitPerUID else { throw .sessionLimit(uid: uid, limit: limitPerUID) }
        let session = Session(id: nextID, connectionID: connectionID, uid: uid, base: base, mode: mode)
        nextID += 1
        sessions[session.id] = session
        return session
    }

    /// The session `id` if `connectionID` owns it.
    /// - Throws: ``SessionError/sessionNotFound(_:)`` when there is none or another
    ///   connection owns it (no one learns of other connections' sessions).
    public func session(_ id: UInt64, connectionID: UInt64) throws(SessionError) -> Session {
        guard let session = sessions[id], session.connectionID == connectionID else { throw .sessionNotFound(id) }
        return session
    }

    /// Stores a changed session (one that is still open).
    public mutating func update(_ session: Session) {
        guard sessions[session.id] != nil else { return }
        sessions[session.id] = session
    }

    /// Closes session `id` of `connectionID`.
    /// - Returns: the keys it held, to release.
    /// - Throws: ``SessionError/sessionNotFound(_:)``.
    public mutating func close(_ id: UInt64, connectionID: UInt64) throws(SessionError) -> [SegmentKey] {
        var session = try session(id, connectionID: connectionID)
        sessions[id] = nil
        return session.close()
    }

    /// Closes every session of `connectionID`.
    /// - Returns: the keys they held, to release.
    public mutating func closeAll(connectionID: UInt64) -> [SegmentKey] {
        let ids = sessions.values.filter { $0.connectionID == connectionID }.map(\.id)
        var keys: [SegmentKey] = []
        for id in ids.sorted() {
            if var session = sessions.removeValue(forKey: id) { keys += session.close() }
        }
        return keys
    }

    /// True when an open session on any connection has adapter `name` (any version, or
    /// `version` when given) in its set.
    public func uses(adapter name: String, version: Int?) -> Bool {
        sessions.values.contains { session in
            session.active.contains { $0.name == name && (version == nil || $0.version == version) }
        }
    }

    /// True when an open session is on `base`.
    public func uses(base: String) -> Bool {
        sessions.values.contains { $0.base == base }
    }
}
