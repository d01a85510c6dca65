/// Who may connect to the daemon and who may administer it, checked once per connection
/// with the peer's `SO_PEERCRED` credentials.
///
/// Root and the daemon's own uid may always connect and administer. Admins (``adminUIDs``,
/// members of ``adminGIDs``) may always connect. Others connect when their uid is in
/// ``allowedUIDs`` or one of their groups (primary or supplementary) is in ``allowedGIDs``.
/// The integrator fills this from the config's `[access]` table.
public struct AccessRules: Sendable, Hashable {
    /// The daemon's own uid (the socket's owner).
    public var daemonUID: UInt32
    /// uids that may connect.
    public var allowedUIDs: Set<UInt32>
    /// gids whose members may connect.
    public var allowedGIDs: Set<UInt32>
    /// uids that may administer (and connect).
    public var adminUIDs: Set<UInt32>
    /// gids whose members may administer (and connect).
    public var adminGIDs: Set<UInt32>

    /// Creates rules; with only `daemonUID`, root and that uid may connect.
    public init(
        daemonUID: UInt32, allowedUIDs: Set<UInt32> = [], allowedGIDs: Set<UInt32> = [],
        adminUIDs: Set<UInt32> = [], adminGIDs: Set<UInt32> = []
    ) {
        self.daemonUID = daemonUID
        self.allowedUIDs = allowedUIDs
        self.allowedGIDs = allowedGIDs
        self.adminUIDs = adminUIDs
        self.adminGIDs = adminGIDs
    }

    /// The verdict on one peer.
    public enum Decision: Sendable, Hashable {
        /// The peer may connect; `isAdmin` when it may also administer.
        case allowed(isAdmin: Bool)
        /// The peer may not connect.
        case refused
    }

    /// Decides for a peer with `uid` and primary group `gid`. `supplementaryGroups` is asked
    /// only when a group rule could change the verdict (it may read the user database), and
    /// at most once.
    public func decide(uid: UInt32, gid: UInt32, supplementaryGroups: () -> [UInt32]) -> Decision {
        var cached: [UInt32]?
        func isMember(of groups: Set<UInt32>) -> Bool {
            guard !groups.isEmpty else { return false }
            if groups.contains(gid) { return true }
            let others = cached ?? supplementaryGroups()
            cached = others
            return others.contains { groups.contains($0) }
        }
        if uid == 0 || uid == daemonUID || adminUIDs.contains(uid) || isMember(of: adminGIDs) {
            return .allowed(isAdmin: true)
        }
        if allowedUIDs.contains(uid) || isMember(of: allowedGIDs) {
            return .allowed(isAdmin: false)
        }
        return .refused
    }

    /// The message a refused peer receives (with FATAL `permission_denied`): who was refused
    /// and how an administrator allows it.
    public func refusalMessage(uid: UInt32, gid: UInt32, userName: String?) -> String {
        let who = userName.map { "user \($0) (uid \(uid), gid \(gid))" } ?? "uid \(uid) (gid \(gid))"
        return
            "\(who) may not connect to lorad; an administrator can allow it with access.allow_uids = [\(uid)] or by adding one of its groups to access.allow_groups in the daemon's config, then reload"
    }
}
