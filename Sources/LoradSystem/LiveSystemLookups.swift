import Glibc

/// ``SystemLookups`` backed by the real machine: NSS for accounts, `stat` and
/// `read` for files.
public struct LiveSystemLookups: SystemLookups {
    /// Makes the system lookups.
    public init() {}

    /// The gid of group `name` from the group database (files, LDAP, systemd...).
    ///
    /// The corresponding C function is `getgrnam_r` (through ``UserDatabase``).
    /// - Throws: ``SystemError`` for a failed lookup (`EIO`, `ENOMEM`, `ERANGE`...).
    public func groupID(named name: String) throws(SystemError) -> UInt32? {
        try Self.missingAsNil { () throws(SystemError) in try UserDatabase.groupID(named: name) }
    }

    /// The uid of user `name` from the user database.
    ///
    /// The corresponding C function is `getpwnam_r` (through ``UserDatabase``).
    /// - Throws: ``SystemError`` for a failed lookup (`EIO`, `ENOMEM`, `ERANGE`...).
    public func userID(named name: String) throws(SystemError) -> UInt32? {
        try Self.missingAsNil { () throws(SystemError) in try UserDatabase.userID(named: name) }
    }

    /// "No such name", which glibc may also report as `ESRCH`, `EBADF` or `EPERM`
    /// (getpwnam(3)), is nil here (``UserDatabase`` maps only `ENOENT`).
    private static func missingAsNil(_ lookUp: () throws(SystemError) -> UInt32?) throws(SystemError) -> UInt32? {
        do {
            return try lookUp()
        } catch {
            if [ESRCH, EBADF, EPERM].contains(error.errno) { return nil }
            throw error
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
