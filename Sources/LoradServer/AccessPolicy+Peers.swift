import LoradSystem

extension AccessPolicy {
    /// The verdict on one connecting peer.
    public enum Decision: Sendable, Hashable {
        /// The peer may connect; `isAdmin` when it may also administer.
        case allowed(isAdmin: Bool)
        /// The peer may not connect.
        case refused
    }

    /// Decides for a peer with `uid` and primary group `gid` (from `SO_PEERCRED`), the way
    /// ``allowsConnection(uid:gids:)`` and ``isAdmin(uid:gids:)`` do. `supplementaryGroups`
    /// (which may read the user database, so the loop avoids it) is asked only when a group
    /// rule could change the verdict, and at most once.
    public func decide(uid: UInt32, gid: UInt32, supplementaryGroups: () -> [UInt32]) -> Decision {
        if isAdmin(uid: uid, gids: [gid]) { return .allowed(isAdmin: true) }
        let allowed = allowsConnection(uid: uid, gids: [gid])
        if !adminGIDs.isEmpty || (!allowed && !allowedGIDs.isEmpty) {
            let groups = [gid] + supplementaryGroups()
            if isAdmin(uid: uid, gids: groups) { return .allowed(isAdmin: true) }
            if allowsConnection(uid: uid, gids: groups) { return .allowed(isAdmin: false) }
        }
        return allowed ? .allowed(isAdmin: false) : .refused
    }

    /// The message a refused peer receives (with FATAL `permission_denied`): who was refused
    /// and how an administrator allows it.
    public func refusalMessage(uid: UInt32, gid: UInt32, userName: String?) -> String {
        let who = userName.map { "user \($0) (uid \(uid), gid \(gid))" } ?? "uid \(uid) (gid \(gid))"
        return
            "\(who) may not connect to lorad; an administrator can allow it with access.allow_uids = [\(uid)] or by adding one of its groups to access.allow_groups in the daemon's config, then reload"
    }
}
