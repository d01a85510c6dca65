import Glibc

/// An AF_UNIX datagram socket, for the systemd notification protocol: the daemon sends
/// one datagram per state change to `$NOTIFY_SOCKET`; tests bind a socket and read them.
///
/// Like ``UnixSocket`` the wrapper does not own its descriptor: call ``close()`` exactly
/// once. The socket is close-on-exec; every call retries `EINTR` and throws a
/// ``SystemError`` carrying `errno`.
///
/// Addresses are filesystem paths, or abstract names written with a leading `@` (the
/// convention of `$NOTIFY_SOCKET`: `@/org/freedesktop/systemd1/notify/...`).
public struct UnixDatagramSocket: Sendable, Hashable {
    /// The socket's descriptor.
    public let fileDescriptor: FileDescriptor

    /// Wraps an existing AF_UNIX datagram socket descriptor.
    public init(fileDescriptor: FileDescriptor) { self.fileDescriptor = fileDescriptor }

    /// A new unbound AF_UNIX datagram socket (close-on-exec).
    ///
    /// The corresponding C function is `socket`.
    /// - Throws: ``SystemError`` (`EMFILE`, `ENFILE`: out of descriptors).
    public static func make() throws(SystemError) -> UnixDatagramSocket {
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = try retryingInterrupts("socket(AF_UNIX, SOCK_DGRAM)") { socket(AF_UNIX, type, 0) }
        return UnixDatagramSocket(fileDescriptor: FileDescriptor(rawValue: fd))
    }

    /// A new datagram socket bound to `address` (a path, which must not exist yet, or
    /// `@name` for the abstract namespace).
    ///
    /// The corresponding C function is `bind`.
    /// - Throws: ``SystemError`` with the address: `EADDRINUSE` (the path exists),
    ///   `EINVAL`/`ENAMETOOLONG` (an address `sockaddr_un` cannot hold), `EACCES`.
    public static func bind(address: String) throws(SystemError) -> UnixDatagramSocket {
        let socket = try make()
        do throws(SystemError) {
            try withAddress(address, operation: "bind") { pointer, length throws(SystemError) in
                _ = try retryingInterrupts("bind", path: address) { Glibc.bind(socket.fileDescriptor.rawValue, pointer, length) }
            }
        } catch {
            try? socket.close()
            throw error
        }
        return socket
    }

    /// Sends `bytes` as one datagram to `address`. Returns the bytes sent (all of them:
    /// datagrams are not split).
    ///
    /// The corresponding C function is `sendto` (with `MSG_NOSIGNAL`).
    /// - Throws: ``SystemError`` with the address: `ENOENT`/`ECONNREFUSED` (nobody listens
    ///   there), `EMSGSIZE` (larger than the receiver's buffer), `EAGAIN` (its queue is full).
    @discardableResult
    public func send(_ bytes: [UInt8], to address: String) throws(SystemError) -> Int {
        let fd = fileDescriptor.rawValue
        return try UnixDatagramSocket.withAddress(address, operation: "sendto") { pointer, length throws(SystemError) in
            let outcome = bytes.withUnsafeBytes { buffer in
                Result { () throws(SystemError) in
                    try retryingInterrupts("sendto", path: address) {
                        sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), pointer, length)
                    }
                }
            }
            return try outcome.get()
        }
    }

    /// Waits up to `timeoutMilliseconds` (negative: forever) for one datagram and returns
    /// its first `maxBytes` bytes, or `nil` when none arrived in time.
    ///
    /// The corresponding C functions are `poll` and `recv`.
    /// - Throws: ``SystemError`` when `poll` or `recv` fails.
    public func receive(maxBytes: Int = 4096, timeoutMilliseconds: Int32) throws(SystemError) -> [UInt8]? {
        guard try UnixSocket(fileDescriptor: fileDescriptor).waitUntilReadable(timeoutMilliseconds: timeoutMilliseconds) else {
            return nil
        }
        var buffer = [UInt8](repeating: 0, count: max(1, maxBytes))
        let fd = fileDescriptor.rawValue
        let outcome = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(SystemError) in
                try retryingInterrupts("recv") { recv(fd, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT)) }
            }
        }
        let count = try outcome.get()
        return Array(buffer.prefix(count))
    }

    /// Closes the socket (a bound path stays on disk; remove it yourself).
    ///
    /// The corresponding C function is `close`.
    public func close() throws(SystemError) { try fileDescriptor.close() }

    /// Calls `body` with `address` as a `sockaddr_un` and its length.
    static func withAddress<Result>(
        _ address: String, operation: String,
        _ body: (UnsafePointer<sockaddr>, socklen_t) throws(SystemError) -> Result
    ) throws(SystemError) -> Result {
        var bytes = Array(address.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        if bytes.isEmpty || (!abstract && bytes.contains(0)) || (abstract && bytes.count < 2) {
            throw SystemError(errno: EINVAL, operation: "\(operation) (socket address must be a path or @name without NUL bytes)", path: address)
        }
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: storage.sun_path)
        // A path needs its terminating NUL inside sun_path; an abstract name does not.
        guard bytes.count + (abstract ? 0 : 1) <= capacity else {
            throw SystemError(errno: ENAMETOOLONG, operation: "\(operation) (socket address is \(bytes.count) bytes, at most \(capacity - 1) fit in sun_path)", path: address)
        }
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        return try withUnsafePointer(to: &storage) { pointer throws(SystemError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(SystemError) in
                try body(address, length)
            }
        }
    }
}
