import Glibc

/// Read-only lookups in the user and group databases (`/etc/passwd`,
/// `/etc/group`, or whatever NSS is configured with): names in the config to
/// ids when it is loaded, and ids to names in messages written off the event
/// loop (a lookup may wait on the network). Access checks never use them: a
/// peer's groups come from the kernel (``PeerCredentials``). All calls are
/// thread-safe (the `_r` variants).
public enum UserDatabase {
    /// The largest scratch buffer a lookup may use, in bytes (16 MiB: a group with very
    /// many members needs a big one); an entry needing more is reported as `ERANGE`.
    static let maximumBufferSize = 1 << 24

    /// The login name of `uid`, or nil when the database has no such user.
    ///
    /// The corresponding C function is `getpwuid_r`.
    /// - Throws: ``SystemError`` when the database cannot be read.
    public static func userName(of uid: UInt32) throws(SystemError) -> String? {
        try lookingUp("getpwuid_r (uid \(uid))") { (buffer: UnsafeMutablePointer<CChar>, size: Int) -> LookupStep<String> in
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            let code = getpwuid_r(uid, &entry, buffer, size, &result)
            if code != 0 { return .failed(code) }
            guard result != nil, let name = entry.pw_name else { return .found(nil) }
            return .found(String(cString: name))
        }
    }

    /// The name of group `gid`, or nil when the database has no such group.
    ///
    /// The corresponding C function is `getgrgid_r`.
    /// - Throws: ``SystemError`` when the database cannot be read.
    public static func groupName(of gid: UInt32) throws(SystemError) -> String? {
        try lookingUp("getgrgid_r (gid \(gid))") { (buffer: UnsafeMutablePointer<CChar>, size: Int) -> LookupStep<String> in
            var entry = group()
            var result: UnsafeMutablePointer<group>?
            let code = getgrgid_r(gid, &entry, buffer, size, &result)
            if code != 0 { return .failed(code) }
            guard result != nil, let name = entry.gr_name else { return .found(nil) }
            return .found(String(cString: name))
        }
    }

    /// The id of the group called `name`, or nil when there is no such group.
    ///
    /// The corresponding C function is `getgrnam_r`.
    /// - Throws: ``SystemError`` when the database cannot be read.
    public static func groupID(named name: String) throws(SystemError) -> UInt32? {
        try lookingUp("getgrnam_r (group \(name))") { (buffer: UnsafeMutablePointer<CChar>, size: Int) -> LookupStep<UInt32> in
            var entry = group()
            var result: UnsafeMutablePointer<group>?
            let code = getgrnam_r(name, &entry, buffer, size, &result)
            if code != 0 { return .failed(code) }
            return .found(result == nil ? nil : entry.gr_gid)
        }
    }

    /// The id of the user called `name`, or nil when there is no such user.
    ///
    /// The corresponding C function is `getpwnam_r`.
    /// - Throws: ``SystemError`` when the database cannot be read.
    public static func userID(named name: String) throws(SystemError) -> UInt32? {
        try lookingUp("getpwnam_r (user \(name))") { (buffer: UnsafeMutablePointer<CChar>, size: Int) -> LookupStep<UInt32> in
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            let code = getpwnam_r(name, &entry, buffer, size, &result)
            if code != 0 { return .failed(code) }
            return .found(result == nil ? nil : entry.pw_uid)
        }
    }

    /// One attempt of a reentrant lookup with a given scratch buffer.
    enum LookupStep<Value> {
        /// The lookup finished: the value, or nil when there is no such entry.
        case found(Value?)
        /// The call returned this error number (`ERANGE`: buffer too small).
        case failed(Int32)
    }

    /// Runs a `get*_r` lookup with a growing scratch buffer: from 1 KiB, doubled
    /// on `ERANGE` up to ``maximumBufferSize``; `EINTR` is retried.
    static func lookingUp<Value>(
        _ operation: String, _ attempt: (UnsafeMutablePointer<CChar>, Int) -> LookupStep<Value>
    ) throws(SystemError) -> Value? {
        var size = 1024
        while true {
            let step = withUnsafeTemporaryAllocation(of: CChar.self, capacity: size) { buffer in
                // A non-empty allocation always has an address; ENOMEM otherwise.
                guard let base = buffer.baseAddress else { return LookupStep<Value>.failed(ENOMEM) }
                return attempt(base, buffer.count)
            }
            switch step {
            case .found(let value):
                return value
            case .failed(EINTR):
                continue
            case .failed(ENOENT):
                // Some NSS modules say ENOENT instead of "0 and no entry".
                return nil
            case .failed(ERANGE) where size < maximumBufferSize:
                size *= 2
            case .failed(let code):
                throw SystemError(errno: code, operation: operation)
            }
        }
    }
}
