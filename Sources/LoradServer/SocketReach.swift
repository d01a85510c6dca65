import LoradSystem

/// Who the socket file lets connect, as the kernel's permission check decides it, and which
/// of the users and groups the access rules allow it keeps out.
///
/// Connecting to a Unix socket needs write permission on its file. The kernel uses exactly
/// one class of bits: the owner's for the owning uid, else the group's for a process in the
/// file's group, else the others'; root passes whatever the mode. So a group named in
/// `[access]` that does not own the socket reaches it only through the others' bits (or
/// through the socket's own group, for members that are in both). Pure: the names in
/// messages come from the caller.
public struct SocketReach: Sendable, Hashable {
    /// The socket file's owner (the daemon's uid when it binds the socket).
    public var owner: UInt32
    /// The socket file's group (`socket_group`, or the one the file got when bound).
    public var group: UInt32
    /// The socket file's permission bits (`socket_mode`), at most `0o777`.
    public var mode: UInt32

    /// Describes a socket file owned by `owner` and `group` with permission bits `mode`.
    public init(owner: UInt32, group: UInt32, mode: UInt32) {
        self.owner = owner
        self.group = group
        self.mode = mode & 0o777
    }

    /// Whether the owner, the group and the others may write (connect).
    var ownerMayWrite: Bool { mode & 0o200 != 0 }
    var groupMayWrite: Bool { mode & 0o020 != 0 }
    var othersMayWrite: Bool { mode & 0o002 != 0 }

    /// The users and groups `access` allows (`allow_groups`, `admin_groups`, `allow_uids`,
    /// `admin_uids`, in that order; each id once, under the first key naming it) that this
    /// file keeps out, entirely or unless they are also in its group. Root and the daemon's
    /// own uid, which the rules always allow, are not checked: root passes any mode and the
    /// daemon owns the file.
    public func problems(for access: AccessPolicy) -> [SocketReachProblem] {
        var problems: [SocketReachProblem] = []
        var seen: Set<SocketReachProblem.Subject> = []
        let listed: [(String, [SocketReachProblem.Subject])] = [
            ("access.allow_groups", access.allowedGIDs.map { .group($0) }),
            ("access.admin_groups", access.adminGIDs.map { .group($0) }),
            ("access.allow_uids", access.allowedUIDs.map { .user($0) }),
            ("access.admin_uids", access.adminUIDs.map { .user($0) }),
        ]
        for (key, subjects) in listed {
            for subject in subjects where seen.insert(subject).inserted {
                if let reach = reach(of: subject) {
                    problems.append(SocketReachProblem(key: key, subject: subject, reach: reach))
                }
            }
        }
        return problems
    }

    /// How far `subject` gets: nil when it can connect, else what keeps it out.
    func reach(of subject: SocketReachProblem.Subject) -> SocketReachProblem.Reach? {
        switch subject {
        case .group(let gid) where gid == group:
            return groupMayWrite ? nil : .never
        case .user(0):
            return nil
        case .user(let uid) where uid == owner:
            return ownerMayWrite ? nil : .never
        case .group, .user:
            if othersMayWrite { return nil }
            return groupMayWrite ? .onlyThroughSocketGroup : .never
        }
    }

    /// True when a process with `credentials` may give a file it owns to `group`: root may
    /// choose any group, anyone else only one of its own (`chown` gives `EPERM` otherwise).
    public static func mayChooseGroup(_ group: UInt32, as credentials: PeerCredentials) -> Bool {
        credentials.uid == 0 || credentials.groups.contains(group)
    }
}
