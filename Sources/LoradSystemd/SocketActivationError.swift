/// Why the sockets systemd passed (socket activation) could not be used.
public enum SocketActivationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `sd_listen_fds_with_names` failed with this `errno` (malformed `$LISTEN_FDS`).
    case environment(errno: Int32)
    /// Several sockets were passed and none is named as wanted.
    case noneNamed(String, passed: [String])

    /// One line saying what was wrong and what to do.
    public var description: String {
        switch self {
        case .environment(let errno):
            "socket activation: cannot read $LISTEN_FDS/$LISTEN_FDNAMES (errno \(errno)); check the lorad.socket unit or unset LISTEN_FDS"
        case .noneNamed(let name, let passed):
            "socket activation: \(passed.count) sockets were passed (\(passed.joined(separator: ", "))) but none is named '\(name)'; set FileDescriptorName=\(name) in lorad.socket"
        }
    }
}
