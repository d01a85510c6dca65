import Foundation
import Glibc
import LoradSystem
import Testing

extension EndToEndTests {
    /// `socket_group`: started outside systemd, lorad gives its socket file to the group
    /// before it listens, so an allowed group reaches the socket through the group's bits;
    /// `--check-config` warns when the allowed groups cannot reach it.
    @Suite struct SocketGroupTests {
        static let group: UInt32 = 3_999_999_003
        static let access = "[access]\nallow_groups = [\(group)]\n"

        /// `loractl status` as uid 65534 holding only `group` (from the kernel: the group
        /// database does not know it).
        func status(_ daemon: DaemonProcess) throws -> ProcessRunner.Outcome {
            try ProcessRunner.runAs(
                uid: 65534, gid: 65534, groups: .given([Self.group]),
                [TestPaths.binary("loractl"), "status", "--socket", daemon.socketPath], in: daemon.folder)
        }

        /// `lorad --check-config` on the daemon's config and paths, plus `arguments`.
        func checkConfig(_ daemon: DaemonProcess, _ arguments: [String] = []) throws -> ProcessRunner.Outcome {
            try ProcessRunner.run(
                TestPaths.binary("lorad"),
                ["--config", daemon.folder.file("lorad.toml"), "--state-dir", daemon.folder.file("state"),
                 "--socket", daemon.folder.file("other.sock"), "--check-config"] + arguments,
                in: daemon.folder)
        }

        @Test func theAllowedGroupReachesTheSocketOnlyWithSocketGroup() throws {
            try #require(getuid() == 0, "giving the socket to any group and switching credentials need root")
            // Without socket_group the socket has root's group: the allowed group gets EACCES.
            let plain = try DaemonProcess(config: Self.access)
            _ = try plain.waitUntilReady()
            let plainSocket = try FileStatus(path: plain.socketPath, followSymlinks: false)
            #expect(plainSocket.group == getegid() && plainSocket.permissions == 0o660)
            let refused = try status(plain)
            #expect(refused.status == 77, "\(refused)")
            let warned = try checkConfig(plain)
            #expect(warned.status == 0 && warned.stdout.hasPrefix("lorad: config OK"), "\(warned)")
            #expect(
                warned.stderr.hasPrefix(
                    "lorad: warning: members of gid \(Self.group), listed in access.allow_groups, can connect only if they are also in group"),
                "\(warned)")
            #expect(warned.stderr.split(separator: "\n").count == 1, "\(warned)")
            #expect(plain.log.contains("socket: members of gid \(Self.group), listed in access.allow_groups"), "\(plain.log)")
            #expect(try plain.stop() == 0)

            // With it, the file is root:<group> 0660 and the group's member is served.
            let grouped = try DaemonProcess(config: Self.access, arguments: ["--socket-group", "\(Self.group)"])
            _ = try grouped.waitUntilReady()
            let groupedSocket = try FileStatus(path: grouped.socketPath, followSymlinks: false)
            #expect(groupedSocket.group == Self.group && groupedSocket.owner == 0 && groupedSocket.permissions == 0o660)
            let served = try status(grouped)
            #expect(served.status == 0, "\(served)")
            let quiet = try checkConfig(grouped, ["--socket-group", "\(Self.group)"])
            #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet)")
            #expect(quiet.stdout.contains("(mode 0660, group \(Self.group))"), "\(quiet)")
            #expect(!grouped.log.contains("socket: "), "\(grouped.log)")
            #expect(try grouped.stop() == 0)
        }

        /// A lorad that is not root may only give the socket to a group it is in:
        /// `--check-config` warns, and starting stops with a clear error and no socket left.
        @Test func aDaemonThatIsNotRootCannotChooseAGroupItIsNotIn() throws {
            try #require(getuid() == 0, "the test runs lorad as uid 65534 and needs root")
            let folder = try TemporaryFolder()
            #expect(chown(folder.path, 65534, 65534) == 0)
            let arguments = [
                TestPaths.binary("lorad"), "--state-dir", folder.file("state"), "--socket", folder.file("lorad.sock"),
                "--memory-budget", "64MiB", "--socket-group", "\(Self.group)",
            ]
            let checked = try ProcessRunner.runAs(uid: 65534, gid: 65534, groups: .cleared, arguments + ["--check-config"], in: folder)
            #expect(checked.status == 0, "\(checked)")
            #expect(
                checked.stderr.hasPrefix("lorad: warning: socket_group gid \(Self.group): uid 65534 is neither root nor in that group"),
                "\(checked)")

            let started = try ProcessRunner.runAs(uid: 65534, gid: 65534, groups: .cleared, arguments, in: folder)
            #expect(started.status == 1, "\(started)")
            #expect(
                started.stderr.contains("chown to gid \(Self.group) (a process that is not root may only give the socket to a group it is in")
                    && started.stderr.contains("EPERM"),
                "\(started)")
            #expect(!FileStatus.exists(folder.file("lorad.sock")))
        }
    }
}
