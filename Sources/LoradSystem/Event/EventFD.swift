import CLinux
import Glibc

/// A counter descriptor for waking an event loop from another thread: workers
/// call ``signal()``, the loop watches ``fileDescriptor`` for readability in its
/// ``Epoll`` and calls ``drain()`` when woken.
///
/// Non-blocking and close-on-exec. A copyable wrapper: call ``close()`` once,
/// after every thread has stopped signalling. Signalling and draining from
/// different threads at once is safe (the kernel serialises them).
public struct EventFD: Sendable, Hashable {
    /// The eventfd descriptor; readable while the counter is above zero.
    public let fileDescriptor: FileDescriptor

    /// Creates an eventfd with its counter at zero.
    ///
    /// The corresponding C function is `eventfd` with `EFD_CLOEXEC | EFD_NONBLOCK`.
    /// - Throws: ``SystemError`` (`EMFILE`, `ENFILE`).
    public init() throws(SystemError) {
        fileDescriptor = FileDescriptor(rawValue: try retryingInterrupts("eventfd") { clinux_eventfd_create() })
    }

    /// Wraps an existing eventfd descriptor (for example one kept in systemd's
    /// descriptor store); it should be non-blocking.
    public init(fileDescriptor: FileDescriptor) { self.fileDescriptor = fileDescriptor }

    /// Adds one to the counter, making the descriptor readable. Many signals
    /// before a drain wake the loop once. A counter at its maximum (2^64 - 2)
    /// already wakes the loop, so that case is not an error.
    ///
    /// The corresponding C function is `write`.
    /// - Throws: ``SystemError`` (`EBADF` after ``close()``).
    public func signal() throws(SystemError) {
        var one: UInt64 = 1
        let raw = fileDescriptor.rawValue
        while Glibc.write(raw, &one, MemoryLayout<UInt64>.size) == -1 {
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == EAGAIN { return }
            throw SystemError(errno: code, operation: "write (eventfd signal)")
        }
    }

    /// Resets the counter to zero and returns how many signals it held (0 when
    /// none: the descriptor was not readable).
    ///
    /// The corresponding C function is `read`.
    /// - Throws: ``SystemError`` (`EBADF` after ``close()``).
    @discardableResult
    public func drain() throws(SystemError) -> UInt64 {
        var count: UInt64 = 0
        let raw = fileDescriptor.rawValue
        while Glibc.read(raw, &count, MemoryLayout<UInt64>.size) == -1 {
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == EAGAIN { return 0 }
            throw SystemError(errno: code, operation: "read (eventfd drain)")
        }
        return count
    }

    /// Closes the descriptor.
    ///
    /// The corresponding C function is `close`.
    public func close() throws(SystemError) { try fileDescriptor.close() }
}
