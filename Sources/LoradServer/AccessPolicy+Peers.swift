import LoradSystem

extension AccessPolicy {
    /// The verdict on one connecting peer.
    public enum Decision: Sendable, Hashable {
        /// The peer may connect; `isAdmin` when it may also administer.
        case allowed(isAdmin: Bool)
        /// The peer may not connect.
        case refused
    }

    /// The most supplementary groups ``refusalMessage(for:)`` lists before it says how many more.
    static let groupsShownInRefusal = 16

    /// Decides for `peer` by its uid and every group the kernel reported for it (the primary
    /// gid from `SO_PEERCRED` and the supplementary groups from `SO_PEERGROUPS`), the way
    /// ``allowsConnection(uid:gids:)`` and ``isAdmin(uid:gids:)`` do. Pure: nothing is looked
    /// up, so the event loop may call it.
    public func decide(for peer: PeerCredentials) -> Decision {
        let groups = peer.groups
        if isAdmin(uid: peer.uid, gids: groups) { return .allowed(isAdmin: true) }
        return allowsConnection(uid: peer.uid, gids: groups) ? .allowed(isAdmin: false) : .refused
    }

    /// The message a refused peer receives (with FATAL `permission_denied`): who was refused,
    /// by the ids the kernel reported (no name lookup: this runs on the event loop), and how
    /// an administrator allows it.
    public func refusalMessage(for peer: PeerCredentials) -> String {
        let groups: String
        switch peer.supplementaryGroups {
        case nil:
            groups = "supplementary groups unknown: this kernel does not report them (SO_PEERGROUPS needs Linux 4.13)"
        case let list? where list.isEmpty:
            groups = "no supplementary groups"
        case let list?:
            let shown = list.prefix(Self.groupsShownInRefusal).map(String.init).joined(separator: ", ")
            let more = list.count > Self.groupsShownInRefusal ? " and \(list.count - Self.groupsShownInRefusal) more" : ""
            groups = "groups \(shown)\(more)"
        }
        return
            "uid \(peer.uid) (gid \(peer.gid), \(groups)) may not connect to lorad; an administrator can allow it with access.allow_uids = [\(peer.uid)] or by adding one of its groups to access.allow_groups in the daemon's config, then reload"
    }
}
