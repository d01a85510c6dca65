/// Who may connect to the socket and who may administer the store, with group
/// names already resolved to gids.
///
/// Root and the daemon's own uid may always connect and administer. Admins
/// (`admin_uids`, `admin_groups`) may always connect. Administering means the
/// requests that change or check the shared store and memory: import, remove, verify, gc,
/// evict (the daemon's route table, `DaemonCore.route(of:)`, says which).
public struct AccessPolicy: Sendable, Hashable {
    /// The daemon's own uid.
    public var daemonUID: UInt32
    /// uids allowed to connect (`access.allow_uids`), sorted, without duplicates.
    public var allowedUIDs: [UInt32]
    /// gids whose members may connect (`access.allow_groups`), sorted, without duplicates.
    public var allowedGIDs: [UInt32]
    /// uids allowed to administer (`access.admin_uids`), sorted, without duplicates.
    public var adminUIDs: [UInt32]
    /// gids whose members may administer (`access.admin_groups`), sorted, without duplicates.
    public var adminGIDs: [UInt32]

    /// Makes a policy; the lists are sorted and de-duplicated.
    public init(
        daemonUID: UInt32, allowedUIDs: [UInt32] = [], allowedGIDs: [UInt32] = [],
        adminUIDs: [UInt32] = [], adminGIDs: [UInt32] = []
    ) {
        self.daemonUID = daemonUID
        self.allowedUIDs = Array(Set(allowedUIDs)).sorted()
        self.allowedGIDs = Array(Set(allowedGIDs)).sorted()
        self.adminUIDs = Array(Set(adminUIDs)).sorted()
        self.adminGIDs = Array(Set(adminGIDs)).sorted()
    }

    /// True when a peer with `uid` and group list `gids` (primary and
    /// supplementary) may administer: root, the daemon's uid, or an admin.
    public func isAdmin(uid: UInt32, gids: some Sequence<UInt32>) -> Bool {
        uid == 0 || uid == daemonUID || adminUIDs.contains(uid) || gids.contains { adminGIDs.contains($0) }
    }

    /// True when a peer with `uid` and group list `gids` may connect: an
    /// admin, an allowed uid, or a member of an allowed group.
    public func allowsConnection(uid: UInt32, gids: some Sequence<UInt32>) -> Bool {
        let groups = Array(gids)
        return isAdmin(uid: uid, gids: groups) || allowedUIDs.contains(uid) || groups.contains { allowedGIDs.contains($0) }
    }
}
