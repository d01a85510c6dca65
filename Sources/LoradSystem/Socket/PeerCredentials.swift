import Glibc

/// Who is at the other end of a connected AF_UNIX socket, as the kernel
/// recorded it when the peer called `connect` (or `socketpair`): `SO_PEERCRED`.
///
/// These are the peer's effective ids at connect time; they cannot be forged by
/// the peer. ``gid`` is only the primary group: use
/// ``UserDatabase/groupIDs(ofUser:primaryGroup:)`` (or ``isMember(ofGroup:)``)
/// for the supplementary groups an access check needs.
public struct PeerCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The peer's process id, in this process's pid namespace; 0 when the peer
    /// lives in a pid namespace this process cannot see.
    public var pid: Int32
    /// The peer's effective user id.
    public var uid: UInt32
    /// The peer's effective (primary) group id.
    public var gid: UInt32

    /// Makes credentials from their three ids.
    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// This process's pid and effective uid and gid: what a peer of ours sees.
    ///
    /// The corresponding C functions are `getpid`, `geteuid` and `getegid`.
    public static var ofThisProcess: PeerCredentials {
        PeerCredentials(pid: getpid(), uid: geteuid(), gid: getegid())
    }

    /// `pid 42 uid 1000 gid 1000`.
    public var description: String { "pid \(pid) uid \(uid) gid \(gid)" }

    /// True when the peer's primary group is `group`, or when the user database
    /// lists `group` among the supplementary groups of the peer's uid.
    ///
    /// The database answer is about the user, not the running process: a
    /// process that dropped groups with `setgroups` still counts as a member.
    /// The corresponding C functions are `getpwuid_r` and `getgrouplist`.
    /// - Throws: ``SystemError`` when the user database cannot be read.
    public func isMember(ofGroup group: UInt32) throws(SystemError) -> Bool {
        if gid == group { return true }
        return try UserDatabase.groupIDs(ofUser: uid, primaryGroup: gid).contains(group)
    }
}
