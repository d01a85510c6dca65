import CSystemd
import Glibc
import LoradSystem

/// Socket activation (`sd_listen_fds(3)`): the listening socket systemd opened for lorad
/// (from `lorad.socket`, or `systemd-socket-activate`), to adopt instead of binding one,
/// and the descriptors systemd kept in its file descriptor store (`FDSTORE=1`), passed
/// along with it after a restart.
public enum SocketActivation {
    /// The name lorad's socket carries (`FileDescriptorName=` in `lorad.socket`).
    public static let socketName = "lorad"

    /// What systemd passed: the listening socket, and every other descriptor with its name.
    public struct Passed: Sendable {
        /// The listening socket to adopt, `nil` when none was passed.
        public var listener: FileDescriptor?
        /// The other descriptors (fd store entries, or anything unexpected) with their
        /// `FDNAME=`s (empty when systemd gave none), in the order passed. The caller owns
        /// them and must close those it does not keep.
        public var others: [(name: String, fd: FileDescriptor)]
    }

    /// The passed listening socket named `name` (or the only listening socket passed,
    /// whatever its name), or `nil` when the process was not socket-activated or was
    /// passed no listening socket. Other passed descriptors are closed.
    ///
    /// The corresponding C function is `sd_listen_fds_with_names`.
    /// - Throws: ``SocketActivationError``.
    public static func listener(named name: String = socketName) throws(SocketActivationError) -> FileDescriptor? {
        let passed = try passedDescriptors(named: name)
        OwnedDescriptors(passed.others.map(\.fd)).close()
        return passed.listener
    }

    /// Everything systemd passed (`$LISTEN_FDS`, `$LISTEN_FDNAMES`), sorted into the
    /// listening socket (a listening AF_UNIX stream socket named `name`, else the only
    /// listening one) and the rest. Ownership of every descriptor passes to the caller;
    /// the `LISTEN_*` variables are removed so children do not inherit them. Nothing
    /// passed (not activated): no listener, no others.
    ///
    /// The corresponding C function is `sd_listen_fds_with_names`.
    /// - Throws: ``SocketActivationError`` (then the passed descriptors stay open).
    public static func passedDescriptors(named name: String = socketName) throws(SocketActivationError) -> Passed {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        guard count >= 0 else { throw .environment(errno: -count) }
        var passedNames: [String] = []
        if let names {
            for index in 0..<Int(count) {
                if let entry = names[index] {
                    passedNames.append(String(cString: entry))
                    free(entry)
                } else {
                    passedNames.append("")
                }
            }
            free(names)
        }
        let fds = (0..<Int(count)).map { FileDescriptor(rawValue: Int32(SD_LISTEN_FDS_START) + Int32($0)) }
        let labels = fds.indices.map { $0 < passedNames.count ? passedNames[$0] : "" }
        let listening = fds.map { UnixSocket.isListeningStreamSocket($0) }
        let chosen = try choose(named: name, among: labels, listening: listening)
        var others: [(name: String, fd: FileDescriptor)] = []
        for (index, fd) in fds.enumerated() where index != chosen {
            // The store's descriptors must not leak into processes lorad starts.
            try? fd.setCloseOnExec()
            others.append((labels[index], fd))
        }
        return Passed(listener: chosen.map { fds[$0] }, others: others)
    }

    /// Which passed descriptor (named `labels`, flagged `listening` when it is a listening
    /// AF_UNIX stream socket) is the socket to serve: the listening one named `name`, else
    /// the only listening one; `nil` when none listens.
    ///
    /// - Throws: ``SocketActivationError/noneNamed(_:passed:)`` for several listening
    ///   sockets, none named `name`.
    static func choose(named name: String, among labels: [String], listening: [Bool]) throws(SocketActivationError) -> Int? {
        let candidates = listening.indices.filter { listening[$0] }
        if let index = candidates.first(where: { $0 < labels.count && labels[$0] == name }) { return index }
        if candidates.count <= 1 { return candidates.first }
        throw .noneNamed(name, passed: candidates.map { $0 < labels.count ? labels[$0] : "" })
    }
}
