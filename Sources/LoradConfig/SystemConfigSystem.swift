import Glibc
import LoradSystem

/// ``ConfigSystem`` backed by the real machine: NSS for accounts, `stat` and
/// `read` for files.
public struct SystemConfigSystem: ConfigSystem {
    /// The largest buffer tried for one account entry (a group with very many
    /// members needs a big one); a bigger entry is reported as `ERANGE`.
    static let maximumEntryBuffer = 1 << 24

    /// Makes the system lookups.
    public init() {}

    /// The gid of group `name` from the group database (files, LDAP, systemd...).
    ///
    /// The corresponding C function is `getgrnam_r`.
    /// - Throws: ``SystemError`` for a failed lookup (`EIO`, `ENOMEM`, `ERANGE`...).
    public func groupID(named name: String) throws(SystemError) -> UInt32? {
        var entry = group()
        let found = try SystemConfigSystem.lookUp("getgrnam_r", name) { buffer, count, result in
            getgrnam_r(name, &entry, buffer, count, &result)
        }
        return found ? UInt32(entry.gr_gid) : nil
    }

    /// The uid of user `name` from the user database.
    ///
    /// The corresponding C function is `getpwnam_r`.
    /// - Throws: ``SystemError`` for a failed lookup (`EIO`, `ENOMEM`, `ERANGE`...).
    public func userID(named name: String) throws(SystemError) -> UInt32? {
        var entry = passwd()
        let found = try SystemConfigSystem.lookUp("getpwnam_r", name) { buffer, count, result in
            getpwnam_r(name, &entry, buffer, count, &result)
        }
        return found ? UInt32(entry.pw_uid) : nil
    }

    /// Runs a `get*nam_r` call with a growing buffer. True when the entry was
    /// found; false for "no such name" (which glibc may report as 0 with a nil
    /// result, or as `ENOENT`, `ESRCH`, `EBADF` or `EPERM`).
    private static func lookUp<Entry>(
        _ operation: String, _ name: String,
        _ call: (UnsafeMutablePointer<CChar>, Int, inout UnsafeMutablePointer<Entry>?) -> Int32
    ) throws(SystemError) -> Bool {
        var size = max(1024, sysconf(Int32(_SC_GETGR_R_SIZE_MAX)), sysconf(Int32(_SC_GETPW_R_SIZE_MAX)))
        while true {
            var result: UnsafeMutablePointer<Entry>?
            var buffer = [CChar](repeating: 0, count: size)
            let code = buffer.withUnsafeMutableBufferPointer { raw in
                guard let base = raw.baseAddress else { return ENOMEM }
                return call(base, raw.count, &result)
            }
            switch code {
            case 0: return result != nil
            case EINTR: continue
            case ERANGE where size < maximumEntryBuffer: size *= 2
            case ENOENT, ESRCH, EBADF, EPERM: return false
            default: throw SystemError(errno: code, operation: operation, path: name)
            }
        }
    }

    /// What is at `path`, following symlinks.
    ///
    /// The corresponding C function is `stat`.
    public func pathKind(at path: String) -> PathKind {
        do {
            let status = try FileStatus(path: path)
            if status.isRegularFile { return .regularFile }
            if status.isDirectory { return .directory }
            return .other
        } catch {
            return error.isNotFound || error.errno == ENOTDIR ? .missing : .inaccessible(error)
        }
    }

    /// Up to `maximumBytes` bytes from the start of the file at `path`.
    ///
    /// The corresponding C functions are `open` and `read`.
    /// - Throws: ``SystemError`` (`ENOENT`, `EACCES`, `EISDIR`...).
    public func readFile(at path: String, maximumBytes: Int) throws(SystemError) -> [UInt8] {
        let file = try FileDescriptor.open(path, .readOnly)
        defer { try? file.close() }
        var bytes = [UInt8](repeating: 0, count: max(0, maximumBytes))
        var filled = 0
        while filled < bytes.count {
            let outcome = bytes.withUnsafeMutableBytes { raw in
                Result { () throws(SystemError) in try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...])) }
            }
            let count = try outcome.get()
            if count == 0 { break }
            filled += count
        }
        bytes.removeSubrange(filled...)
        return bytes
    }
}
