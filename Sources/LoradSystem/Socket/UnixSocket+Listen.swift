import CLinux
import Glibc

/// One connection taken from a listening socket by ``UnixSocket/accept()``.
public struct AcceptedConnection: Sendable, Hashable {
    /// The connected socket: non-blocking and close-on-exec; the caller owns it.
    public var socket: UnixSocket
    /// Who connected, as recorded by the kernel (`SO_PEERCRED`).
    public var peer: PeerCredentials

    /// Pairs a connected socket with its peer's credentials.
    public init(socket: UnixSocket, peer: PeerCredentials) {
        self.socket = socket
        self.peer = peer
    }
}

extension UnixSocket {
    /// Creates the daemon's listening socket at `path`: non-blocking,
    /// close-on-exec, the socket file given to `group` (when not nil) and its
    /// mode set to `mode`.
    ///
    /// A file already at `path` is replaced only when it is a socket that nobody
    /// answers (a stale socket left by a crashed daemon). The group and the mode
    /// are applied after `bind` and before `listen`, in that order: until
    /// `listen`, every connect is refused (`ECONNREFUSED`), so no client gets in
    /// under the umask's mode or the wrong group, and the umask (process-wide,
    /// shared with other threads creating files) is left alone. The group is
    /// changed with `lchown`, which never follows a symlink put in the file's
    /// place, and only when the bound file does not have it already. The caller
    /// owns the socket; ``removeSocketFile(atPath:)`` deletes the file at
    /// shutdown.
    ///
    /// The corresponding C functions are `socket`, `bind`, `lstat`, `lchown`,
    /// `chmod` and `listen`.
    /// - Parameters:
    ///   - path: the socket file, at most ``maximumPathLength`` bytes; its folder must exist.
    ///   - mode: the socket file's permission bits; connecting needs write permission.
    ///   - group: the gid to give the socket file; nil keeps the one it got when bound
    ///     (the process's, or its folder's when the folder is set-group-ID). Without
    ///     `CAP_CHOWN` (not root) a process may only choose a group it is in.
    ///   - backlog: pending connections the kernel queues before `accept`.
    /// - Throws: ``SystemError`` with the path: `EADDRINUSE` (another process is
    ///   listening there), `EEXIST` (a file that is not a socket is there, and is
    ///   left alone), `ENAMETOOLONG`, `EACCES`, `ENOENT` (no such folder), `EPERM`
    ///   (`group` is one the process may not give files to). The file is removed
    ///   again on any failure after `bind`.
    public static func listen(
        path: String, mode: FilePermissions = 0o660, group: UInt32? = nil, backlog: Int32 = 128
    ) throws(SystemError) -> UnixSocket {
        try checkPath(path, operation: "bind")
        try removeStaleSocketFile(atPath: path)
        let socket = try makeSocket(nonBlocking: true)
        let raw = socket.fileDescriptor.rawValue
        var bound = false
        do throws(SystemError) {
            _ = try retryingInterrupts("bind", path: path) { clinux_unix_bind(raw, path) }
            bound = true
            if let group { try giveSocketFile(atPath: path, to: group) }
            _ = try retryingInterrupts("chmod \(mode)", path: path) { chmod(path, mode_t(mode.rawValue)) }
            _ = try retryingInterrupts("listen", path: path) { clinux_listen(raw, backlog) }
        } catch {
            try? socket.close()
            if bound { _ = unlink(path) }
            throw error
        }
        return socket
    }

    /// Gives the just-bound socket file at `path` to `group` unless it has it already.
    ///
    /// The corresponding C functions are `lstat` and `lchown`.
    /// - Throws: ``SystemError``; `EPERM` says that only root may choose a group the
    ///   process is not in.
    private static func giveSocketFile(atPath path: String, to group: UInt32) throws(SystemError) {
        guard try FileStatus(path: path, followSymlinks: false).group != group else { return }
        do throws(SystemError) {
            _ = try retryingInterrupts("lchown", path: path) { lchown(path, uid_t.max, gid_t(group)) }
        } catch where error.errno == EPERM {
            throw SystemError(
                errno: EPERM,
                operation: "chown to gid \(group) (a process that is not root may only give the socket to a group it is in: choose one of its groups, or start it as root)",
                path: path)
        }
    }

    /// Takes over a listening socket inherited from systemd (socket
    /// activation, `sd_listen_fds`), after checking that it is one: an AF_UNIX
    /// stream socket in the listening state. It is made non-blocking and
    /// close-on-exec, like one from ``listen(path:mode:backlog:)``.
    ///
    /// The corresponding C functions are `getsockopt` (`SO_DOMAIN`, `SO_TYPE`,
    /// `SO_ACCEPTCONN`) and `fcntl`.
    /// - Throws: ``SystemError`` `EINVAL` when the descriptor is another kind of
    ///   socket (check `ListenStream=` in the .socket unit), `ENOTSOCK` when it
    ///   is not a socket, `EBADF` when it is not open.
    public static func adoptListening(fd: FileDescriptor) throws(SystemError) -> UnixSocket {
        let found = try kind(of: fd, operation: "getsockopt (checking inherited \(fd))")
        guard found.isListeningUnixStream else {
            throw SystemError(
                errno: EINVAL,
                operation: "adopt \(fd) (not a listening AF_UNIX stream socket: domain \(found.domain), type \(found.type), listening \(found.listening); use ListenStream=/path in the .socket unit)")
        }
        try fd.setCloseOnExec()
        let socket = UnixSocket(fileDescriptor: fd)
        try socket.setNonBlocking()
        return socket
    }

    /// Takes one pending connection from this listening socket, with its
    /// peer's credentials. The new socket is non-blocking and close-on-exec.
    ///
    /// Returns ``SocketOutcome/wouldBlock`` when no connection is pending (the
    /// listener is non-blocking). A connection the peer aborted before `accept`
    /// is skipped. `EMFILE`/`ENFILE` are thrown: the connection stays queued, so
    /// a level-triggered loop must stop polling the listener for a while.
    ///
    /// The corresponding C functions are `accept4` (with `SOCK_CLOEXEC |
    /// SOCK_NONBLOCK`) and `getsockopt` (`SO_PEERCRED`).
    public func accept() throws(SystemError) -> SocketOutcome<AcceptedConnection> {
        let raw = fileDescriptor.rawValue
        var accepted: Int32
        while true {
            accepted = clinux_unix_accept(raw)
            if accepted >= 0 { break }
            let code = Glibc.errno
            switch code {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw SystemError(errno: code, operation: "accept4")
            }
        }
        let socket = UnixSocket(fileDescriptor: FileDescriptor(rawValue: accepted))
        do throws(SystemError) {
            return .completed(AcceptedConnection(socket: socket, peer: try socket.peerCredentials()))
        } catch {
            try? socket.close()
            throw error
        }
    }

    /// Deletes the socket file at `path` if it is a socket; does nothing when
    /// nothing is there. For a daemon's orderly shutdown (never when the socket
    /// came from systemd, which owns that file).
    ///
    /// The corresponding C functions are `lstat` and `unlink`.
    /// - Throws: ``SystemError`` `EEXIST` when the file is not a socket (it is
    ///   left alone), or what `unlink` reports.
    public static func removeSocketFile(atPath path: String) throws(SystemError) {
        guard try isSocketFile(atPath: path, operation: "remove socket") else { return }
        if unlink(path) == -1, Glibc.errno != ENOENT { throw SystemError.current("unlink", path: path) }
    }

    /// Removes a socket file left by a process that is gone: when `path` is a
    /// socket and a connect to it is refused. Nothing there is fine.
    ///
    /// The corresponding C functions are `lstat`, `connect` and `unlink`.
    /// - Throws: ``SystemError`` `EADDRINUSE` when a process answers there,
    ///   `EEXIST` when the file is not a socket, or what `connect`/`unlink` say.
    static func removeStaleSocketFile(atPath path: String) throws(SystemError) {
        guard try isSocketFile(atPath: path, operation: "bind") else { return }
        let probe = try makeSocket(nonBlocking: true)
        defer { try? probe.close() }
        let raw = probe.fileDescriptor.rawValue
        let code: Int32 = clinux_unix_connect(raw, path) == 0 ? 0 : Glibc.errno
        switch code {
        case ECONNREFUSED:
            if unlink(path) == -1, Glibc.errno != ENOENT { throw SystemError.current("unlink (stale socket)", path: path) }
        case ENOENT:
            return
        case 0, EAGAIN, EINPROGRESS, EINTR:
            throw SystemError(errno: EADDRINUSE, operation: "bind (another process is listening on this socket: stop it first, e.g. systemctl stop lorad.socket lorad)", path: path)
        default:
            throw SystemError(errno: code, operation: "connect (probing the existing socket file)", path: path)
        }
    }

    /// True when `path` is a socket, false when nothing is there.
    ///
    /// The corresponding C function is `lstat`.
    /// - Throws: ``SystemError`` `EEXIST` when something else is there.
    static func isSocketFile(atPath path: String, operation: String) throws(SystemError) -> Bool {
        let status: FileStatus
        do throws(SystemError) {
            status = try FileStatus(path: path, followSymlinks: false)
        } catch where error.isNotFound {
            return false
        }
        guard status.mode & UInt32(S_IFMT) == UInt32(S_IFSOCK) else {
            throw SystemError(errno: EEXIST, operation: "\(operation) (a file that is not a socket is in the way: move it or choose another socket path)", path: path)
        }
        return true
    }
}
