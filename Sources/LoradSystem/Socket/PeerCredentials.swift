import Glibc

/// Who is at the other end of a connected AF_UNIX socket, as the kernel
/// recorded it when the peer called `connect` (or `socketpair`): `SO_PEERCRED`
/// for the ids, `SO_PEERGROUPS` for the supplementary groups.
///
/// These are the peer process's own credentials at connect time, not what the
/// user database says about its user: a process that dropped a group
/// (`setgroups`, `setpriv --clear-groups`) is not in it, and one given a group
/// by its parent (systemd's `SupplementaryGroups=`, `setpriv --groups`) is. The
/// peer cannot forge them, and reading them needs no lookup.
public struct PeerCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The most supplementary groups a process may have (Linux's `NGROUPS_MAX`).
    public static let maximumGroupCount = 65_536

    /// The peer's process id, in this process's pid namespace; 0 when the peer
    /// lives in a pid namespace this process cannot see.
    public var pid: Int32
    /// The peer's effective user id.
    public var uid: UInt32
    /// The peer's effective (primary) group id.
    public var gid: UInt32
    /// The peer's supplementary groups, sorted, without duplicates (the primary
    /// group appears only if the process also has it as a supplementary one);
    /// `nil` when the kernel does not report them (`SO_PEERGROUPS` is Linux 4.13
    /// and later).
    public var supplementaryGroups: [UInt32]?

    /// Makes credentials from the three ids and the supplementary groups (sorted
    /// and de-duplicated here).
    public init(pid: Int32, uid: UInt32, gid: UInt32, supplementaryGroups: [UInt32]? = []) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.supplementaryGroups = supplementaryGroups.map { Array(Set($0)).sorted() }
    }

    /// Every group the peer acts with, as access rules match it: the primary
    /// group first, then the supplementary groups (none when unknown).
    public var groups: [UInt32] {
        [gid] + (supplementaryGroups ?? []).filter { $0 != gid }
    }

    /// This process's pid, effective uid and gid, and supplementary groups: what
    /// a peer of ours sees.
    ///
    /// The corresponding C functions are `getpid`, `geteuid`, `getegid` and
    /// `getgroups`.
    public static var ofThisProcess: PeerCredentials {
        PeerCredentials(pid: getpid(), uid: geteuid(), gid: getegid(), supplementaryGroups: supplementaryGroupsOfThisProcess())
    }

    /// `pid 42 uid 1000 gid 1000`, then ` groups 4,27` when it has supplementary
    /// groups, or ` groups unknown`.
    public var description: String {
        let ids = "pid \(pid) uid \(uid) gid \(gid)"
        guard let supplementaryGroups else { return ids + " groups unknown" }
        if supplementaryGroups.isEmpty { return ids }
        return ids + " groups " + supplementaryGroups.map(String.init).joined(separator: ",")
    }

    /// This process's supplementary groups (`getgroups`), asked again (a few
    /// times) when another thread changes them between the two calls; empty when
    /// they cannot be read.
    private static func supplementaryGroupsOfThisProcess() -> [UInt32] {
        for _ in 0..<4 {
            let count = getgroups(0, nil)
            guard count > 0 else { return [] }
            var groups = [gid_t](repeating: 0, count: Int(count))
            let filled = getgroups(count, &groups)
            if filled >= 0 { return Array(groups.prefix(Int(filled))) }
        }
        return []
    }
}
