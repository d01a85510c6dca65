import CSystemd
import Glibc
import LoradSystem

/// Socket activation (`sd_listen_fds(3)`): the listening socket systemd opened for lorad
/// (from `lorad.socket`, or `systemd-socket-activate`), to adopt instead of binding one.
public enum SocketActivation {
    /// The name lorad's socket carries (`FileDescriptorName=` in `lorad.socket`).
    public static let socketName = "lorad"

    /// The passed socket named `name` (or the only one passed, whatever its name), or
    /// `nil` when the process was not socket-activated. Ownership of the descriptor passes
    /// to the caller; the `LISTEN_*` variables are removed so children do not inherit them.
    /// Other passed descriptors are left open (they are close-on-exec).
    ///
    /// The corresponding C function is `sd_listen_fds_with_names`.
    /// - Throws: ``SocketActivationError``.
    public static func listener(named name: String = socketName) throws(SocketActivationError) -> FileDescriptor? {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        guard count >= 0 else { throw .environment(errno: -count) }
        var passed: [String] = []
        if let names {
            for index in 0..<Int(count) {
                if let entry = names[index] {
                    passed.append(String(cString: entry))
                    free(entry)
                } else {
                    passed.append("")
                }
            }
            free(names)
        }
        guard let index = try choose(named: name, among: passed, count: Int(count)) else { return nil }
        return FileDescriptor(rawValue: Int32(SD_LISTEN_FDS_START) + Int32(index))
    }

    /// Which of `count` passed descriptors (named `passed`, possibly fewer names) to use:
    /// the one named `name`, else the only one; `nil` for none.
    ///
    /// - Throws: ``SocketActivationError/noneNamed(_:passed:)`` for several, none named `name`.
    static func choose(named name: String, among passed: [String], count: Int) throws(SocketActivationError) -> Int? {
        guard count > 0 else { return nil }
        if let index = passed.prefix(count).firstIndex(of: name) { return index }
        if count == 1 { return 0 }
        throw .noneNamed(name, passed: Array(passed.prefix(count)))
    }
}
