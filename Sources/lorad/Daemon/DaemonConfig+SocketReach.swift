import LoradDaemon
import Glibc
import LoradConfig
import LoradServer
import LoradSystem

extension DaemonConfig {
    /// What `lorad --check-config` warns about the socket this config makes lorad create when
    /// it runs as `process` (not under socket activation, where the socket unit's
    /// `SocketMode=` and `SocketGroup=` decide): a `socket_group` the process may not give
    /// the file to, and allowed users and groups the file's mode and group would keep out
    /// (see ``SocketReach``). One line each, with names from the user database; empty when
    /// all is well.
    public func socketWarnings(process: PeerCredentials = .ofThisProcess) -> [String] {
        var lines: [String] = []
        if let socketGroup, !SocketReach.mayChooseGroup(socketGroup, as: process) {
            lines.append(
                "socket_group \(Self.describeGroup(socketGroup)): uid \(process.uid) is neither root nor in that group, so lorad started as it cannot give the socket to it and stops (EPERM); start it as root or as a member, or choose one of its groups")
        }
        let group = socketGroup ?? inheritedSocketGroup(process: process)
        return lines + Self.socketWarnings(SocketReach(owner: process.uid, group: group, mode: socketMode), access: access)
    }

    /// The warnings about a socket file with `reach`'s owner, group and mode under `access`,
    /// with names from the user database (it may wait on the network: not for the event loop).
    public static func socketWarnings(_ reach: SocketReach, access: AccessPolicy) -> [String] {
        reach.problems(for: access).map { problem in
            problem.message(
                socket: reach, userName: { (try? UserDatabase.userName(of: $0)) ?? nil },
                groupName: { (try? UserDatabase.groupName(of: $0)) ?? nil })
        }
    }

    /// `lorad (gid 990)`, or `gid 990` when the group database has no name for it.
    static func describeGroup(_ gid: UInt32) -> String {
        ((try? UserDatabase.groupName(of: gid)) ?? nil).map { "\($0) (gid \(gid))" } ?? "gid \(gid)"
    }

    /// The group a socket file bound at ``socketPath`` gets without `socket_group`: its
    /// folder's when the folder exists and is set-group-ID, else the process's effective gid.
    private func inheritedSocketGroup(process: PeerCredentials) -> UInt32 {
        let folder = socketPath.lastIndex(of: "/").map { String(socketPath[..<$0]) } ?? "."
        guard let status = try? FileStatus(path: folder.isEmpty ? "/" : folder), status.mode & UInt32(S_ISGID) != 0 else {
            return process.gid
        }
        return status.group
    }
}
