import Glibc

/// A failed system call: the `errno` it set, the operation that failed and, when
/// the call named one, the path it was given.
///
/// Every syscall wrapper in LoradSystem throws this type, so callers can test
/// ``isNotFound`` or ``isPermissionDenied`` instead of comparing raw numbers, and
/// can show ``description`` to a user as it is.
public struct SystemError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The `errno` value the call set (for example `ENOENT`).
    public var errno: Int32
    /// The operation that failed, as a short verb (`open`, `mmap`, `rename`...).
    public var operation: String
    /// The path the operation was applied to, when there was one.
    public var path: String?

    /// Makes an error from an `errno` value, the operation and an optional path.
    public init(errno: Int32, operation: String, path: String? = nil) {
        self.errno = errno
        self.operation = operation
        self.path = path
    }

    /// The error for the current thread's `errno` after a failed call.
    static func current(_ operation: String, path: String? = nil) -> SystemError {
        SystemError(errno: Glibc.errno, operation: operation, path: path)
    }

    /// True when the file or folder does not exist (`ENOENT`).
    public var isNotFound: Bool { errno == ENOENT }

    /// True when access was refused (`EACCES` or `EPERM`).
    public var isPermissionDenied: Bool { errno == EACCES || errno == EPERM }

    /// True when the target already exists (`EEXIST`).
    public var isAlreadyExisting: Bool { errno == EEXIST }

    /// The symbolic name of ``errno`` (`ENOENT`), or `errno <n>` for rare values.
    public var errnoName: String { SystemError.names[errno] ?? "errno \(errno)" }

    /// The C library's message for ``errno`` ("No such file or directory").
    public var message: String {
        // glibc's strerror returns a static string for known values and a
        // thread-local buffer for unknown ones, so this is thread-safe.
        guard let text = strerror(errno) else { return "unknown error" }
        return String(cString: text)
    }

    /// One line: `open /x/y: No such file or directory (ENOENT)`.
    public var description: String {
        let subject = path.map { "\(operation) \($0)" } ?? operation
        return "\(subject): \(message) (\(errnoName))"
    }

    private static let names: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR", EIO: "EIO",
        ENXIO: "ENXIO", E2BIG: "E2BIG", EBADF: "EBADF", EAGAIN: "EAGAIN", ENOMEM: "ENOMEM",
        EACCES: "EACCES", EFAULT: "EFAULT", EBUSY: "EBUSY", EEXIST: "EEXIST", EXDEV: "EXDEV",
        ENODEV: "ENODEV", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EINVAL: "EINVAL",
        ENFILE: "ENFILE", EMFILE: "EMFILE", ETXTBSY: "ETXTBSY", EFBIG: "EFBIG",
        ENOSPC: "ENOSPC", ESPIPE: "ESPIPE", EROFS: "EROFS", EMLINK: "EMLINK", EPIPE: "EPIPE",
        ERANGE: "ERANGE", ENAMETOOLONG: "ENAMETOOLONG", ENOSYS: "ENOSYS",
        ENOTEMPTY: "ENOTEMPTY", ELOOP: "ELOOP", EOVERFLOW: "EOVERFLOW", ENOTSOCK: "ENOTSOCK",
        EMSGSIZE: "EMSGSIZE", EOPNOTSUPP: "EOPNOTSUPP", EADDRINUSE: "EADDRINUSE",
        ECONNRESET: "ECONNRESET", ECONNREFUSED: "ECONNREFUSED", ETIMEDOUT: "ETIMEDOUT",
        ENOTCONN: "ENOTCONN", EDQUOT: "EDQUOT", ECANCELED: "ECANCELED",
    ]
}

/// Runs `body` until it returns something other than -1 with `errno == EINTR`;
/// a -1 with any other `errno` becomes a ``SystemError``.
@inline(__always)
func retryingInterrupts<Result: FixedWidthInteger>(
    _ operation: String, path: String? = nil, _ body: () -> Result
) throws(SystemError) -> Result {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = Glibc.errno
        if code == EINTR { continue }
        throw SystemError(errno: code, operation: operation, path: path)
    }
}
