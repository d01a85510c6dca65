import LoradNotation
import LoradSystem

/// A user or group the access rules allow that the socket file keeps out (see
/// ``SocketReach/problems(for:)``).
public struct SocketReachProblem: Sendable, Hashable {
    /// Whom the problem is about.
    public enum Subject: Sendable, Hashable {
        /// The members of a group (a gid).
        case group(UInt32)
        /// A user (a uid).
        case user(UInt32)
    }

    /// How far the subject gets.
    public enum Reach: Sendable, Hashable {
        /// It cannot connect at all (`EACCES`), unless as root.
        case never
        /// It can connect only through the socket's group: a member of a group that does not
        /// own the socket, or a user, must also be in the socket's group.
        case onlyThroughSocketGroup
    }

    /// The config key listing the subject: `access.allow_groups`, `access.admin_uids`...
    public var key: String
    /// Whom it is about.
    public var subject: Subject
    /// How far it gets.
    public var reach: Reach

    /// Makes a problem report.
    public init(key: String, subject: Subject, reach: Reach) {
        self.key = key
        self.subject = subject
        self.reach = reach
    }

    /// One line saying who is kept out, why and what to change, for `lorad --check-config`
    /// and the start-up log. `userName` and `groupName` give names for ids (nil: show the id
    /// alone); the caller looks them up, off the event loop.
    public func message(
        socket: SocketReach, userName: (UInt32) -> String?, groupName: (UInt32) -> String?
    ) -> String {
        func group(_ gid: UInt32) -> String { groupName(gid).map { "group \($0) (gid \(gid))" } ?? "gid \(gid)" }
        let mode = FileModeSyntax.format(socket.mode)
        let who: String
        switch subject {
        case .group(let gid): who = "members of \(group(gid)), listed in \(key),"
        case .user(let uid): who = (userName(uid).map { "user \($0) (uid \(uid))" } ?? "uid \(uid)") + ", listed in \(key),"
        }
        let othersHint = "or let others write with socket_mode = \"\(FileModeSyntax.format(socket.mode | 0o022))\" ([access] still decides who is served)"
        switch (reach, subject) {
        case (.onlyThroughSocketGroup, .group):
            return "\(who) can connect only if they are also in \(group(socket.group)), the socket's group (socket_mode \(mode) gives others no write permission): set socket_group to their group, add them to \(group(socket.group)), \(othersHint)"
        case (.onlyThroughSocketGroup, .user):
            return "\(who) can connect only if it is in \(group(socket.group)), the socket's group (socket_mode \(mode) gives others no write permission): add it to that group, \(othersHint)"
        case (.never, .group(let gid)) where gid == socket.group:
            return "\(who) cannot connect: socket_mode \(mode) gives the socket's group no write permission; use socket_mode = \"\(FileModeSyntax.format(socket.mode | 0o020))\""
        case (.never, .user(let uid)) where uid == socket.owner:
            return "\(who) owns the socket but cannot connect: socket_mode \(mode) gives the owner no write permission; use socket_mode = \"\(FileModeSyntax.format(socket.mode | 0o200))\""
        case (.never, .group):
            return "\(who) cannot connect: socket_mode \(mode) gives neither the socket's group nor others write permission; set socket_group to their group and use socket_mode = \"\(FileModeSyntax.format(socket.mode | 0o020))\""
        case (.never, .user):
            return "\(who) cannot connect: socket_mode \(mode) gives neither the socket's group nor others write permission; put it in a group named by socket_group and use socket_mode = \"\(FileModeSyntax.format(socket.mode | 0o020))\""
        }
    }
}
