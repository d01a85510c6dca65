import Glibc

/// This process's `RLIMIT_NOFILE`: how many descriptors it may have open. The soft limit
/// binds (past it `open`, `accept` and `recvmsg`'s descriptors fail with `EMFILE`); the
/// process may raise it up to the hard limit without privileges.
public struct OpenFilesLimit: Sendable, Hashable, CustomStringConvertible {
    /// The limit in force (`rlim_cur`).
    public var soft: UInt64
    /// The most the soft limit may be raised to (`rlim_max`); `UInt64.max` for unlimited.
    public var hard: UInt64

    /// Makes a limit from its two values.
    public init(soft: UInt64, hard: UInt64) {
        self.soft = soft
        self.hard = hard
    }

    /// `1024 (hard 524288)`.
    public var description: String {
        "\(soft) (hard \(hard == UInt64.max ? "unlimited" : String(hard)))"
    }

    /// The limit of this process now.
    ///
    /// The corresponding C function is `getrlimit(RLIMIT_NOFILE)`.
    /// - Throws: ``SystemError`` (cannot happen on Linux for this resource).
    public static func current() throws(SystemError) -> OpenFilesLimit {
        var limit = rlimit()
        _ = try retryingInterrupts("getrlimit(RLIMIT_NOFILE)") {
            getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        return OpenFilesLimit(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
    }

    /// Raises the soft limit to `wanted`, or to the hard limit when that is lower; never
    /// lowers it. Returns the limit before and after, so the caller can tell whether it got
    /// all it wanted (`after.soft >= wanted`).
    ///
    /// The corresponding C functions are `getrlimit` and `setrlimit(RLIMIT_NOFILE)`.
    /// - Throws: ``SystemError`` `EPERM` when the kernel refuses the value (above
    ///   `/proc/sys/fs/nr_open`), `EINVAL`.
    public static func raiseSoft(to wanted: UInt64) throws(SystemError) -> (before: OpenFilesLimit, after: OpenFilesLimit) {
        let before = try current()
        let target = min(wanted, before.hard)
        guard target > before.soft else { return (before, before) }
        var limit = rlimit(rlim_cur: rlim_t(target), rlim_max: rlim_t(before.hard))
        _ = try retryingInterrupts("setrlimit(RLIMIT_NOFILE, \(target))") {
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        return (before, OpenFilesLimit(soft: target, hard: before.hard))
    }
}
